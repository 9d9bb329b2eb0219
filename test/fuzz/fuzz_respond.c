/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A frame off the wire through the virtual internet (trawl respond): the
 * frame handler that answers in place, then toolchain fingerprinting of the
 * probe it saw. An input is up to 8 frames, each after its length (2 bytes,
 * big-endian), that come from one source in turn: its fingerprinting state
 * goes from one to the next as the responder keeps it (a keyed rule is
 * confirmed on a later probe). The dataset: 198.18.0.0/24 live with 80 open,
 * 198.18.1.7 live, services on 198.18.2.1-4 (http, tls, ssh, banner), a
 * middlebox /24 and a zero-window one, UDP 53 answering, ARP for any address;
 * IPv6: 2001:2::5 and 2001:2:1::/120 live, 2001:2::9 open on 443, services on
 * 2001:2::51 (http, 80) and 2001:2::53 (ssh, 22), a middlebox /124 (NDP for any).
 */
#include "test/fuzz/fuzz.h"

#include "app/respond/dataset.h"
#include "app/respond/packet.h"

static struct trawl_dataset ds;
static struct trawl_respond_cfg cfg;
static struct trawl_udp_payload udp[65536];

static void
setup(void)
{
	static const char text[] = "198.18.0.0/24:80\n198.18.1.7\n198.18.2.1:80 http\n198.18.2.2:443 tls\n"
		"198.18.2.3:22 ssh\n198.18.2.4:25 banner:220 fuzz ESMTP\n198.18.3.0/24 middlebox\n"
		"198.18.4.0/30 middlebox:zerowin\n2001:2::5\n2001:2:1::/120\n[2001:2::9]:443\n[2001:2::51]:80 http\n"
		"[2001:2::53]:22 ssh\n2001:2:0:6::/124 middlebox\n";
	static const uint8_t dns[] = { 0x12, 0x34, 0x81, 0x80 };
	struct trawl_err err;

	if (trawl_dataset_init(&ds) != 0 || trawl_dataset_parse(&ds, "fuzz", text, sizeof(text) - 1, &err) != 0)
		abort();
	trawl_dataset_seal(&ds);
	udp[53] = (struct trawl_udp_payload){ sizeof(dns), dns };
	cfg.ds = &ds;
	cfg.isn_key = (struct trawl_siphash_key){ 1, 2 };
	cfg.mac = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, 0x09 } };
	cfg.udp = udp;
}

static void
one_frame(const uint8_t *data, size_t size, struct trawl_fp_source *src)
{
	struct trawl_respond_result res;
	uint32_t claimed;
	/*
	 * The handler writes its answer in place: an mbuf's room, at least 128
	 * bytes, and no more; half the inputs get a real mbuf's 1920, so a
	 * service's first flight (up to 1514 bytes) is made too.
	 */
	size_t room = size != 0 && (data[size - 1] & 1) ? 1920 : 128, cap = size < room ? room : size;
	uint8_t *frame = malloc(cap);

	if (frame == NULL)
		abort();
	memcpy(frame, data, size);
	memset(&res, 0, sizeof(res));
	trawl_respond_frame(&cfg, frame, (uint32_t)size, (uint32_t)cap, &res);
	if (res.reply != TRAWL_REPLY_NONE && res.len > cap)
		abort();
	if (res.probe == TRAWL_PROBE_TCP_SYN || res.probe == TRAWL_PROBE_ICMP_ECHO || res.probe == TRAWL_PROBE_UDP)
		if (trawl_fingerprint(&res.fp, src, &claimed) >= TRAWL_TC_MAX)
			abort();
	free(frame);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct trawl_fp_source src = { 0 };

	if (!ready) {
		setup();
		ready = 1;
	}
	for (int i = 0; i < 8 && size >= 2; i++) {
		size_t len = (size_t)(data[0] << 8 | data[1]);

		data += 2, size -= 2;
		if (len > size)
			len = size;
		if (len > 9216)
			break; /* a jumbo frame is the most a port hands us */
		one_frame(data, len, &src);
		data += len, size -= len;
	}
	return 0;
}

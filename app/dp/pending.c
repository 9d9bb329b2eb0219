/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>

#include <rte_branch_prediction.h>
#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "app/dp/pending.h"

int
trawl_pending_init(struct trawl_pending *p, const char *name, uint32_t cap, uint64_t hold, int socket)
{
	struct rte_hash_parameters hp = {
		.name = name,
		/* Twice the ring: at most half full, so an add never walks long cuckoo paths (measured: 2600 cycles a reply at 100%). */
		.entries = 2 * cap,
		.key_len = sizeof(uint64_t),
		.hash_func = rte_hash_crc,
		.socket_id = socket,
		/* Extendable buckets: an add fails only when the table holds cap keys, which the ring rules out. */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};

	p->cap = cap;
	p->hold = hold;
	p->head = p->tail = 0;
	p->held = p->early = 0;
	p->h = rte_hash_create(&hp);
	p->ent = rte_zmalloc_socket("trawl_pending", sizeof(*p->ent) * cap, RTE_CACHE_LINE_SIZE, socket);
	if (p->h == NULL || p->ent == NULL) {
		int e = rte_errno != 0 ? rte_errno : ENOMEM;

		trawl_pending_free(p);
		return -e;
	}
	return 0;
}

void
trawl_pending_free(struct trawl_pending *p)
{
	rte_hash_free(p->h);
	rte_free(p->ent);
	p->h = NULL;
	p->ent = NULL;
}

/* The head entry out of the ring (and the hash, if it is still live): 1 if it was live, copied to out. */
static int
pop(struct trawl_pending *p, struct trawl_result *out)
{
	struct trawl_pending_ent *e = &p->ent[p->head++ & (p->cap - 1)];

	if (!e->live)
		return 0;
	e->live = 0;
	rte_hash_del_key(p->h, &e->key);
	*out = e->r;
	return 1;
}

int
trawl_pending_add(struct trawl_pending *p, const struct trawl_result *r, struct trawl_result out[2])
{
	uint64_t key = trawl_pending_key_of(p, r);
	struct trawl_pending_ent *e;
	int n = 0;

	if (rte_hash_lookup(p->h, &key) >= 0)
		return 0;
	while (p->tail - p->head >= p->cap && n == 0)
		n = pop(p, out);
	p->early += (uint64_t)n;
	e = &p->ent[p->tail & (p->cap - 1)];
	if (unlikely(rte_hash_add_key_data(p->h, &key, (void *)(uintptr_t)(p->tail & (p->cap - 1))) != 0)) {
		/* Not held (cannot happen with room in the ring, see init): closed at once rather than left open. */
		out[n++] = *r;
		p->early++;
		return n;
	}
	e->r = *r;
	e->r.data = NULL;
	e->key = key;
	e->live = 1;
	p->tail++;
	p->held++;
	return n;
}

int
trawl_pending_take(struct trawl_pending *p, uint64_t key)
{
	void *data;

	if (rte_hash_lookup_data(p->h, &key, &data) < 0)
		return 0;
	p->ent[(uintptr_t)data].live = 0;
	rte_hash_del_key(p->h, &key);
	return 1;
}

unsigned int
trawl_pending_expire(struct trawl_pending *p, uint64_t now, struct trawl_result *out, unsigned int max)
{
	unsigned int n = 0;

	while (n < max && p->head != p->tail) {
		const struct trawl_pending_ent *e = &p->ent[p->head & (p->cap - 1)];

		if (e->live && now != UINT64_MAX && now - e->r.tsc < p->hold)
			break;
		n += (unsigned int)pop(p, &out[n]);
	}
	return n;
}

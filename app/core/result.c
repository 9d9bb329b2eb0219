/* SPDX-License-Identifier: BSD-3-Clause */
#include "app/core/result.h"

const char *const trawl_class_names[TRAWL_CLASS_MAX] = {
	[TRAWL_CLASS_SYNACK] = "synack",
	[TRAWL_CLASS_RST] = "rst",
	[TRAWL_CLASS_ECHOREPLY] = "echoreply",
	[TRAWL_CLASS_UNREACH] = "unreach",
	[TRAWL_CLASS_SOURCEQUENCH] = "sourcequench",
	[TRAWL_CLASS_REDIRECT] = "redirect",
	[TRAWL_CLASS_TIMXCEED] = "timxceed",
	[TRAWL_CLASS_OTHER] = "other",
	[TRAWL_CLASS_UDP] = "udp",
	[TRAWL_CLASS_ICMP_UNREACH] = "icmp-unreach",
	[TRAWL_CLASS_DATA] = "data",
	[TRAWL_CLASS_NODATA] = "nodata",
	[TRAWL_CLASS_RESET] = "reset",
	[TRAWL_CLASS_CANARY] = "canary",
	[TRAWL_CLASS_ZEROWIN] = "zerowin",
};

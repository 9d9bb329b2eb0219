/* SPDX-License-Identifier: BSD-3-Clause */
#include "result.h"

const char *const trawl_class_names[TRAWL_CLASS_MAX] = {
	[TRAWL_CLASS_SYNACK] = "synack",
	[TRAWL_CLASS_RST] = "rst",
};

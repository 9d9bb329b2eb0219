/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_SCAN_H
#define TRAWL_SCAN_H

/** `trawl scan`: argv[0] is "scan". Returns the process exit status (0, 1 or 2). */
int trawl_scan_main(int argc, char **argv);

#endif

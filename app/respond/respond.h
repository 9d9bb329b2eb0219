/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_RESPOND_H
#define TRAWL_RESPOND_H

/** `trawl respond`: argv[0] is "respond". Returns the exit status. */
int trawl_respond_main(int argc, char **argv);

#endif

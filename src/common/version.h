/* SPDX-License-Identifier: Apache-2.0 */
/* version.h - the one place the version is written. */
#ifndef P2P_VERSION_H
#define P2P_VERSION_H

#define P2P_VERSION "0.1.0"

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * curl_7_76.h - libcurl's API as a 7.76 build sees it (RHEL 9's libcurl),
 * laid over the newer <curl/curl.h> installed here, for
 * tests/lint/test_curl_compat.sh.  Force-included (-include) before a
 * source file: it includes curl.h first (the file's own #include is then a
 * no-op), sets LIBCURL_VERSION_NUM to 7.76.0 so every version test in the
 * file takes its 7.76 branch, and poisons the identifiers libcurl added
 * after 7.76 that a client like ours might reach for, so that using one
 * outside a version test stops the build.  It is a list, not 7.76's
 * header: a symbol newer than 7.76 and missing here is not caught.
 */
#include <curl/curl.h>

#undef LIBCURL_VERSION_NUM
#define LIBCURL_VERSION_NUM 0x074c00

/* 7.77 (the option bit is a macro: undefined first) */
#undef CURLSSLOPT_AUTO_CLIENT_CERT
#pragma GCC poison CURLOPT_CAINFO_BLOB CURLOPT_PROXY_CAINFO_BLOB
#pragma GCC poison CURLSSLOPT_AUTO_CLIENT_CERT CURLE_SSL_CLIENTCERT
/* 7.80 */
#pragma GCC poison CURLOPT_SSH_HOST_PUBLIC_KEY_SHA256 CURLOPT_PREREQFUNCTION
#pragma GCC poison CURLOPT_PREREQDATA CURLOPT_MAXLIFETIME_CONN curl_url_strerror
/* 7.81 */
#pragma GCC poison CURLOPT_MIME_OPTIONS
/* 7.83, 7.84 */
#pragma GCC poison curl_easy_header curl_easy_nextheader
#pragma GCC poison CURLINFO_CAINFO CURLINFO_CAPATH CURLE_UNRECOVERABLE_POLL
#pragma GCC poison CURLOPT_SSH_HOSTKEYFUNCTION CURLOPT_SSH_HOSTKEYDATA
/* 7.85: the string forms of the protocol lists */
#pragma GCC poison CURLOPT_PROTOCOLS_STR CURLOPT_REDIR_PROTOCOLS_STR
/* 7.86, 7.87 */
#pragma GCC poison CURLOPT_WS_OPTIONS curl_ws_recv curl_ws_send curl_ws_meta
#pragma GCC poison CURLOPT_CA_CACHE_TIMEOUT CURLOPT_QUICK_EXIT
/* 8.x */
#pragma GCC poison CURLOPT_HAPROXY_CLIENT_IP CURLINFO_CONN_ID CURLINFO_XFER_ID
#pragma GCC poison curl_multi_get_handles CURLOPT_SERVER_RESPONSE_TIMEOUT_MS

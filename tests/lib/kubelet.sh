# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash disable=SC2034 # variables set here are read by the tests
# tests/lib/kubelet.sh - HTTPS stand-ins for the kubelet's GET /pods.
#
# Requires common.sh; packages nginx-light (or any nginx with the ssl
# module), openssl, python3.  Everything listens on 127.0.0.1 only and every
# file lives under the test's dir DIR: nothing in /etc or /var is read or
# written (nginx gets -p, -c and -e, and every path in its config is under DIR).
#
# Two servers, the same certificates and the same authorization rules:
#   * nginx (kubelet_start): the realistic one, a static file behind TLS.
#   * tests/tools/kubeletd.py (kubelet_fault_start): slow, failing, truncated,
#     stalled, chunked or huge answers, switchable at run time.
#
# Authorization, for GET /pods (the same in both servers):
#   a client certificate that verifies against DIR/ca.crt  -> allowed, token or not
#   else "Authorization: Bearer <DIR/token>"                -> allowed
#   else "Authorization: Bearer <DIR/token.forbidden>"      -> 403
#   else (no header, another token, another scheme)         -> 401
#   allowed -> 200, the pod list file, Content-Type: application/json.
#   Any other path -> 404 (no authorization check).
# A client certificate from another CA does not fail the TLS handshake: it
# counts as no certificate (so 401 without a token), as on a real kubelet,
# which requests but does not require client certificates.  (nginx needs
# `ssl_verify_client optional_no_ca` for that: with `optional` it answers 400
# to a certificate it cannot verify.)  kubeletd.py does the same for
# certificates from DIR/other-ca.crt, but fails the handshake for a
# certificate from any third CA.
#
# PKI (kubelet_pki DIR; RSA-2048, valid 30 days, keys and tokens 0600):
#   ca.crt ca.key                 the test CA ("pid2pod test CA")
#   server.crt server.key         signed by it; SAN IP:127.0.0.1, DNS:localhost,
#                                 DNS:$(hostname) (when that is a valid name)
#   client.crt client.key         signed by it; CN=pid2pod-test, EKU clientAuth
#   other-ca.crt other-ca.key     an unrelated CA ("pid2pod other CA")
#   other-client.crt .key         signed by the other CA; CN=pid2pod-test, clientAuth
#   token                         the good token (hex, no trailing newline)
#   token.forbidden               a token that authenticates but is forbidden
# The tokens also appear in DIR/nginx.conf (0600), never in a log.
#
# nginx's access log DIR/access.log has one line per request, fields
# separated by one space, the token never logged:
#   status=200 uri=/pods cert=yes auth=cert bearer=none bytes=1234 conn=3 req=1 ms=0.001 t=1718000000.123
#     status  HTTP status sent
#     uri     the request URI as sent (with its query)
#     cert    yes (verified by the test CA) | failed (presented, not verified) | none
#     auth    cert | token | forbidden | unauthorized   (the decision; "-" off /pods)
#     bearer  good | forbidden | bad (another token or scheme) | none (no header)
#     bytes   body bytes sent
#     conn    connection serial number, req: requests on it so far (keep-alive)
#     ms      request time in seconds with ms resolution, t: when it was logged
# nginx writes the line when the response is done, so a client may see the
# answer a moment before the line exists: count with kubelet_wait_requests.
#
# kubeletd.py's log DIR/fault.log: see tests/tools/kubeletd.py (the same
# idea: `t=... mode=... status=... path=... auth=... bytes=... outcome=...`).
#
# Functions (main shell only, except kubelet_serve, kubelet_fault_serve,
# kubelet_fault_mode, kubelet_requests, kubelet_fault_requests: those only
# read or write files and work in $(...) too):
#   kubelet_pki DIR           make the PKI and tokens above in DIR (created if
#                             missing); does nothing when every file exists.
#                             Sets KUBELET_PKI=DIR.
#   kubelet_start DIR PODLIST_FILE
#                             (kubelet_pki DIR, then) copy PODLIST_FILE to
#                             DIR/pods.json, start nginx (config DIR/nginx.conf,
#                             errors DIR/error.log, stdout/stderr DIR/nginx.out)
#                             on 127.0.0.1 and a free port (another one if the
#                             bind fails), wait until it listens; register
#                             kubelet_stop as cleanup.  Sets KUBELET_DIR,
#                             KUBELET_PID, KUBELET_PORT, KUBELET_URL
#                             (https://127.0.0.1:PORT, no path), KUBELET_ACCESS_LOG,
#                             KUBELET_START_MS.  Status 0 up, 1 failed, 2 bad
#                             use (already started, missing file).
#   kubelet_serve FILE        atomically replace what /pods returns (copy to a
#                             temp file in DIR, rename over DIR/pods.json).
#   kubelet_requests [STATUS] print how many /pods requests (any query) nginx
#                             logged, only those answered STATUS when given.
#   kubelet_wait_requests N [STATUS] [TIMEOUT_MS]
#                             wait (default 2000 ms) until kubelet_requests
#                             [STATUS] >= N; status 0, else 1.
#   kubelet_stop              stop our nginx by pid (TERM, then KILL); idempotent.
#   kubelet_restart           start nginx again, same DIR, port and files (the
#                             same access log, appended to); retries the bind
#                             for up to 3 s.  Sets KUBELET_PID anew.
#   kubelet_fault_start DIR MODE PODLIST_FILE
#                             (kubelet_pki DIR, then) copy PODLIST_FILE to
#                             DIR/fault-pods.json and start kubeletd.py on a
#                             port of the kernel's choosing, in MODE; register
#                             kubelet_fault_stop as cleanup.  Sets
#                             KUBELET_FAULT_PID, KUBELET_FAULT_PORT,
#                             KUBELET_FAULT_URL, KUBELET_FAULT_LOG.  Status as
#                             for kubelet_start.
#   kubelet_fault_mode MODE   switch kubeletd's mode; from the next request on
#                             (it re-reads DIR/fault.mode on each request).
#   kubelet_fault_serve FILE  atomically replace kubeletd's pod list.
#   kubelet_fault_requests [STATUS]  as kubelet_requests, for kubeletd.
#   kubelet_fault_stop        stop kubeletd by pid; idempotent.
# Modes of kubeletd.py: ok, slow:SECONDS, status:CODE, garbage, truncated,
# stall, chunked, chunked-truncated, drop, big:MB, big-chunked:MB (see there).

_KUBELET_NGINX=${KUBELET_NGINX:-/usr/sbin/nginx}
if [[ -x /usr/bin/python3 ]]; then
	_KUBELET_PY=/usr/bin/python3
else
	_KUBELET_PY=$(command -v python3)
fi
_KUBELET_TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")/../tools" && pwd -P)
_KUBELET_START_TIMEOUT_MS=3000
# Ports below the kernel's usual ephemeral range (32768-60999), so that no
# outgoing connection of another program holds the one we pick.
_KUBELET_PORT_MIN=20000
_KUBELET_PORT_SPAN=12000

# --- PKI ----------------------------------------------------------------------

_KUBELET_PKI_FILES=(ca.crt ca.key server.crt server.key client.crt client.key
	other-ca.crt other-ca.key other-client.crt other-client.key token token.forbidden)

_kubelet_pki_complete() {
	local f
	for f in "${_KUBELET_PKI_FILES[@]}"; do
		[[ -s $1/$f ]] || return 1
	done
}

# _kubelet_ca DIR NAME CN: a self-signed CA NAME.crt from NAME.key.
_kubelet_ca() {
	openssl req -x509 -new -key "$1/$2.key" -sha256 -days 30 -subj "/CN=$3" \
		-config "$1/pki.tmp/openssl.cnf" -extensions v3_ca \
		-out "$1/$2.crt" 2>>"$1/pki.tmp/openssl.err"
}

# _kubelet_leaf DIR NAME CANAME CN EXT: NAME.crt from NAME.key, signed by CANAME.
_kubelet_leaf() {
	local d=$1 serial
	serial=$(openssl rand -hex 8) || return 1
	openssl req -new -key "$d/$2.key" -subj "/CN=$4" -config "$d/pki.tmp/openssl.cnf" \
		-out "$d/pki.tmp/$2.csr" 2>>"$d/pki.tmp/openssl.err" &&
		openssl x509 -req -in "$d/pki.tmp/$2.csr" -CA "$d/$3.crt" -CAkey "$d/$3.key" \
			-set_serial "0x$serial" -sha256 -days 30 \
			-extfile "$d/pki.tmp/openssl.cnf" -extensions "$5" \
			-out "$d/$2.crt" 2>>"$d/pki.tmp/openssl.err"
}

kubelet_pki() {
	if (($# != 1)); then
		echo "usage: kubelet_pki DIR" >&2
		return 2
	fi
	local d=$1 host san k rc=0
	local -a pids=()
	mkdir -p "$d" || return 1
	KUBELET_PKI=$d
	_kubelet_pki_complete "$d" && return 0

	rm -rf "$d/pki.tmp"
	mkdir -m 0700 "$d/pki.tmp" || return 1
	san="IP:127.0.0.1,DNS:localhost"
	host=$(hostname 2>/dev/null) || host=
	if [[ $host =~ ^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$ && $host != localhost ]]; then
		san+=",DNS:$host"
	fi
	cat >"$d/pki.tmp/openssl.cnf" <<EOF
# written by tests/lib/kubelet.sh
[req]
distinguished_name = dn
prompt = no
[dn]
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = $san
authorityKeyIdentifier = keyid
[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
EOF
	# Key generation is the slow part: all five at once.
	for k in ca server client other-ca other-client; do
		(umask 077 && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
			-out "$d/$k.key" 2>>"$d/pki.tmp/openssl.err") &
		pids+=($!)
	done
	for k in "${pids[@]}"; do
		wait "$k" || rc=1
	done
	if ((rc == 0)); then
		_kubelet_ca "$d" ca "pid2pod test CA" &&
			_kubelet_ca "$d" other-ca "pid2pod other CA" &&
			_kubelet_leaf "$d" server ca "pid2pod-test-kubelet" server &&
			_kubelet_leaf "$d" client ca "pid2pod-test" client &&
			_kubelet_leaf "$d" other-client other-ca "pid2pod-test" client || rc=1
	fi
	if ((rc == 0)); then
		(
			umask 077
			printf '%s' "$(openssl rand -hex 24)" >"$d/token" &&
				printf '%s' "$(openssl rand -hex 24)" >"$d/token.forbidden"
		) || rc=1
	fi
	if ((rc != 0)); then
		echo "kubelet_pki: openssl failed: $(tail -n 3 "$d/pki.tmp/openssl.err" 2>/dev/null)" >&2
		return 1
	fi
	chmod 0600 "$d"/*.key "$d/token" "$d/token.forbidden"
	chmod 0644 "$d"/*.crt
	rm -rf "$d/pki.tmp"
	_kubelet_pki_complete "$d"
}

# --- shared helpers -----------------------------------------------------------

# _kubelet_install SRC DST: copy SRC next to DST, then rename it over DST.
_kubelet_install() {
	local tmp
	[[ -f $1 ]] || {
		echo "kubelet: no such file: $1" >&2
		return 2
	}
	tmp=$(mktemp "$(dirname "$2")/.serve.XXXXXX") || return 1
	if ! cat -- "$1" >"$tmp"; then
		rm -f "$tmp"
		return 1
	fi
	chmod 0644 "$tmp"
	mv -f -- "$tmp" "$2"
}

# _kubelet_listening PORT PID: PID listens on 127.0.0.1:PORT.
_kubelet_listening() {
	ss -ltnpH "sport = :$1" 2>/dev/null | grep -q "pid=$2,"
}

# _kubelet_port_busy PORT: someone listens on it (any address).
_kubelet_port_busy() {
	[[ -n $(ss -ltnH "sport = :$1" 2>/dev/null) ]]
}

# _kubelet_count LOG PATHFIELD STATUS: /pods lines (any query), with STATUS if set.
_kubelet_count() {
	local log=$1 field=$2 status=${3:-}
	[[ -f $log ]] || {
		echo 0
		return 0
	}
	awk -v f="$field" -v s="$status" '
		{
			st = ""; p = ""
			for (i = 1; i <= NF; i++) {
				if ($i ~ "^status=") st = substr($i, 8)
				else if (index($i, f "=") == 1) p = substr($i, length(f) + 2)
			}
			sub(/\?.*/, "", p)
			if (p == "/pods" && (s == "" || st == s)) n++
		}
		END { print n + 0 }' "$log"
}

# --- nginx ----------------------------------------------------------------------

# _kubelet_nginx_conf PORT: write $KUBELET_DIR/nginx.conf for PORT.
_kubelet_nginx_conf() {
	local d=$KUBELET_DIR port=$1 good forbidden
	good=$(<"$d/token") || return 1
	forbidden=$(<"$d/token.forbidden") || return 1
	[[ $good =~ ^[A-Za-z0-9._-]+$ && $forbidden =~ ^[A-Za-z0-9._-]+$ ]] || {
		echo "kubelet_start: tokens must be [A-Za-z0-9._-]+" >&2
		return 1
	}
	good=${good//./\\.}
	forbidden=${forbidden//./\\.}
	(
		umask 077
		cat >"$d/nginx.conf" <<EOF
# written by tests/lib/kubelet.sh (holds the test tokens: keep it 0600)
daemon off;
master_process off;
worker_processes 1;
pid $d/nginx.pid;
lock_file $d/nginx.lock;
error_log $d/error.log info;
events {
	worker_connections 256;
}
http {
	client_body_temp_path $d/nginx-tmp/body;
	proxy_temp_path $d/nginx-tmp/proxy;
	fastcgi_temp_path $d/nginx-tmp/fastcgi;
	uwsgi_temp_path $d/nginx-tmp/uwsgi;
	scgi_temp_path $d/nginx-tmp/scgi;
	types {
	}
	default_type text/plain;
	server_tokens off;
	sendfile off;
	keepalive_timeout 30s;

	# Case-sensitive, whole-value matches; the header itself is never logged.
	map \$http_authorization \$p2p_bearer {
		default bad;
		"" none;
		"~^Bearer $good\$" good;
		"~^Bearer $forbidden\$" forbidden;
	}
	map \$ssl_client_verify \$p2p_cert {
		default failed;
		SUCCESS yes;
		NONE none;
	}
	map "\$p2p_cert:\$p2p_bearer" \$p2p_auth {
		default unauthorized;
		"~^yes:" cert;
		"~:good\$" token;
		"~:forbidden\$" forbidden;
	}
	map \$uri \$p2p_auth_logged {
		default -;
		/pods \$p2p_auth;
		/pods.json \$p2p_auth;
	}
	log_format p2p 'status=\$status uri=\$request_uri cert=\$p2p_cert auth=\$p2p_auth_logged bearer=\$p2p_bearer bytes=\$body_bytes_sent conn=\$connection req=\$connection_requests ms=\$request_time t=\$msec';

	server {
		listen 127.0.0.1:$port ssl;
		ssl_certificate $d/server.crt;
		ssl_certificate_key $d/server.key;
		ssl_client_certificate $d/ca.crt;
		ssl_verify_client optional_no_ca;
		ssl_verify_depth 2;
		ssl_protocols TLSv1.2 TLSv1.3;
		access_log $d/access.log p2p;

		location = /pods {
			if (\$p2p_auth = forbidden) {
				return 403 "Forbidden (user=pid2pod-test, verb=get, resource=nodes, subresource=proxy)\n";
			}
			if (\$p2p_auth = unauthorized) {
				return 401 "Unauthorized\n";
			}
			rewrite ^ /pods.json last;
		}
		location = /pods.json {
			internal;
			root $d;
			default_type application/json;
			etag off;
			if_modified_since off;
			max_ranges 0;
		}
		location / {
			return 404 "404 page not found\n";
		}
	}
}
EOF
	)
}

# _kubelet_nginx_up PORT: start nginx on PORT.  0 up; 3 the port was taken;
# 1 any other failure.  Sets KUBELET_PID.
_kubelet_nginx_up() {
	local port=$1 d=$KUBELET_DIR mark
	_kubelet_nginx_conf "$port" || return 1
	mark=0
	if [[ -f $d/error.log ]]; then
		mark=$(wc -l <"$d/error.log")
	fi
	if t_daemon_start "$_T_STATE/kubelet-nginx.pid" nginx "$d/nginx.out" \
		"$_KUBELET_NGINX" -p "$d/nginx-prefix" -c "$d/nginx.conf" -e "$d/error.log"; then
		KUBELET_PID=$T_DAEMON_PID
		t_wait_for "$_KUBELET_START_TIMEOUT_MS" _kubelet_nginx_settled "$port" "$KUBELET_PID"
		if _kubelet_listening "$port" "$KUBELET_PID"; then
			return 0
		fi
		kubelet_stop
	fi
	# (nginx can exit on a failed bind before t_daemon_start sees it run.)
	if tail -n +"$((mark + 1))" "$d/error.log" 2>/dev/null | grep -q 'Address already in use' ||
		grep -q 'Address already in use' "$d/nginx.out" 2>/dev/null; then
		return 3
	fi
	echo "kubelet_start: nginx did not listen on 127.0.0.1:$port: $(tail -n 3 "$d/error.log" "$d/nginx.out" 2>/dev/null | tr '\n' ' ')" >&2
	return 1
}

_kubelet_nginx_settled() {
	t_pid_alive "$2" || return 0
	_kubelet_listening "$1" "$2"
}

kubelet_start() {
	if (($# != 2)); then
		echo "usage: kubelet_start DIR PODLIST_FILE" >&2
		return 2
	fi
	local d=$1 list=$2 try port rc t0 t1
	if [[ -n ${KUBELET_PID:-} ]]; then
		echo "kubelet_start: already started (pid $KUBELET_PID)" >&2
		return 2
	fi
	[[ -f $list ]] || {
		echo "kubelet_start: no such file: $list" >&2
		return 2
	}
	[[ -x $_KUBELET_NGINX ]] || {
		echo "kubelet_start: $_KUBELET_NGINX missing (package nginx-light)" >&2
		return 1
	}
	t0=$(t_now_ms)
	kubelet_pki "$d" || return 1
	d=$(cd "$d" && pwd -P)
	KUBELET_DIR=$d
	KUBELET_ACCESS_LOG=$d/access.log
	mkdir -p "$d/nginx-prefix" "$d/nginx-tmp" || return 1
	chmod 0700 "$d/nginx-tmp"
	_kubelet_install "$list" "$d/pods.json" || return 1
	: >>"$d/access.log"
	if [[ ! -f $_T_STATE/kubelet-nginx.registered ]]; then
		t_on_exit kubelet_stop
		: >"$_T_STATE/kubelet-nginx.registered"
	fi
	for try in 1 2 3 4 5 6 7 8; do
		port=$((_KUBELET_PORT_MIN + (RANDOM * 32768 + RANDOM) % _KUBELET_PORT_SPAN))
		_kubelet_port_busy "$port" && continue
		rc=0
		_kubelet_nginx_up "$port" || rc=$?
		if ((rc == 0)); then
			KUBELET_PORT=$port
			KUBELET_URL=https://127.0.0.1:$port
			t1=$(t_now_ms)
			KUBELET_START_MS=$((t1 - t0))
			export KUBELET_DIR KUBELET_PID KUBELET_PORT KUBELET_URL KUBELET_ACCESS_LOG
			return 0
		fi
		((rc == 3)) || return 1
		t_log "kubelet_start: port $port taken, trying another (attempt $try)"
	done
	echo "kubelet_start: no free port after $try attempts" >&2
	return 1
}

kubelet_restart() {
	local deadline now rc
	if [[ -z ${KUBELET_DIR:-} || -z ${KUBELET_PORT:-} ]]; then
		echo "kubelet_restart: kubelet_start has not run" >&2
		return 2
	fi
	kubelet_stop
	_t_now_ms_into now
	deadline=$((now + 3000))
	while :; do
		rc=0
		_kubelet_nginx_up "$KUBELET_PORT" || rc=$?
		if ((rc == 0)); then
			export KUBELET_PID
			return 0
		fi
		((rc == 3)) || return 1
		_t_now_ms_into now
		if ((now >= deadline)); then
			echo "kubelet_restart: port $KUBELET_PORT stays taken" >&2
			return 1
		fi
		sleep 0.1
	done
}

kubelet_stop() {
	local pid start wrapper
	[[ -f $_T_STATE/kubelet-nginx.pid ]] || return 0
	read -r pid start wrapper <"$_T_STATE/kubelet-nginx.pid"
	t_kill_pid "$pid" "$start" 3000
	wait "$wrapper" 2>/dev/null
	rm -f "$_T_STATE/kubelet-nginx.pid"
	KUBELET_PID=
	export KUBELET_PID
	return 0
}

kubelet_serve() {
	if (($# != 1)) || [[ -z ${KUBELET_DIR:-} ]]; then
		echo "usage: kubelet_serve FILE (after kubelet_start)" >&2
		return 2
	fi
	_kubelet_install "$1" "$KUBELET_DIR/pods.json"
}

kubelet_requests() {
	[[ -n ${KUBELET_DIR:-} ]] || {
		echo "kubelet_requests: kubelet_start has not run" >&2
		return 2
	}
	_kubelet_count "$KUBELET_DIR/access.log" uri "${1:-}"
}

_kubelet_at_least() {
	local n
	n=$("$1" "${3:-}") || return 1
	((n >= $2))
}

kubelet_wait_requests() {
	if (($# < 1)); then
		echo "usage: kubelet_wait_requests N [STATUS] [TIMEOUT_MS]" >&2
		return 2
	fi
	t_wait_for "${3:-2000}" _kubelet_at_least kubelet_requests "$1" "${2:-}"
}

# --- kubeletd.py (faults) -------------------------------------------------------

kubelet_fault_start() {
	if (($# != 3)); then
		echo "usage: kubelet_fault_start DIR MODE PODLIST_FILE" >&2
		return 2
	fi
	local d=$1 mode=$2 list=$3 comm t0
	if [[ -n ${KUBELET_FAULT_PID:-} ]]; then
		echo "kubelet_fault_start: already started (pid $KUBELET_FAULT_PID)" >&2
		return 2
	fi
	[[ -f $list ]] || {
		echo "kubelet_fault_start: no such file: $list" >&2
		return 2
	}
	kubelet_pki "$d" || return 1
	d=$(cd "$d" && pwd -P)
	KUBELET_FAULT_DIR=$d
	KUBELET_FAULT_LOG=$d/fault.log
	_kubelet_install "$list" "$d/fault-pods.json" || return 1
	printf '%s\n' "$mode" >"$d/fault.mode"
	rm -f "$d/fault.port"
	: >>"$d/fault.log"
	if [[ ! -f $_T_STATE/kubelet-fault.registered ]]; then
		t_on_exit kubelet_fault_stop
		: >"$_T_STATE/kubelet-fault.registered"
	fi
	comm=${_KUBELET_PY##*/}
	comm=${comm:0:15}
	t0=$(t_now_ms)
	if ! t_daemon_start "$_T_STATE/kubelet-fault.pid" "$comm" "$d/kubeletd.out" \
		"$_KUBELET_PY" "$_KUBELET_TOOLS/kubeletd.py" \
		--listen 127.0.0.1 --port 0 --port-file "$d/fault.port" \
		--cert "$d/server.crt" --key "$d/server.key" \
		--client-ca "$d/ca.crt" --also-trust "$d/other-ca.crt" \
		--token-file "$d/token" --forbidden-token-file "$d/token.forbidden" \
		--file "$d/fault-pods.json" --mode "$mode" --mode-file "$d/fault.mode" \
		--log "$d/fault.log"; then
		echo "kubelet_fault_start: kubeletd.py did not start: $(tail -n 3 "$d/kubeletd.out" 2>/dev/null)" >&2
		return 1
	fi
	KUBELET_FAULT_PID=$T_DAEMON_PID
	t_wait_for "$_KUBELET_START_TIMEOUT_MS" _kubelet_fault_settled "$d" "$KUBELET_FAULT_PID"
	if [[ -s $d/fault.port ]] && KUBELET_FAULT_PORT=$(<"$d/fault.port") &&
		_kubelet_listening "$KUBELET_FAULT_PORT" "$KUBELET_FAULT_PID"; then
		KUBELET_FAULT_URL=https://127.0.0.1:$KUBELET_FAULT_PORT
		KUBELET_FAULT_START_MS=$(($(t_now_ms) - t0))
		export KUBELET_FAULT_PID KUBELET_FAULT_PORT KUBELET_FAULT_URL KUBELET_FAULT_LOG
		return 0
	fi
	echo "kubelet_fault_start: kubeletd.py did not listen: $(tail -n 3 "$d/kubeletd.out" 2>/dev/null | tr '\n' ' ')" >&2
	kubelet_fault_stop
	return 1
}

_kubelet_fault_settled() {
	t_pid_alive "$2" || return 0
	[[ -s $1/fault.port ]]
}

kubelet_fault_mode() {
	if (($# != 1)) || [[ -z ${KUBELET_FAULT_DIR:-} ]]; then
		echo "usage: kubelet_fault_mode MODE (after kubelet_fault_start)" >&2
		return 2
	fi
	local tmp
	tmp=$(mktemp "$KUBELET_FAULT_DIR/.mode.XXXXXX") || return 1
	printf '%s\n' "$1" >"$tmp" && mv -f -- "$tmp" "$KUBELET_FAULT_DIR/fault.mode"
}

kubelet_fault_serve() {
	if (($# != 1)) || [[ -z ${KUBELET_FAULT_DIR:-} ]]; then
		echo "usage: kubelet_fault_serve FILE (after kubelet_fault_start)" >&2
		return 2
	fi
	_kubelet_install "$1" "$KUBELET_FAULT_DIR/fault-pods.json"
}

kubelet_fault_requests() {
	[[ -n ${KUBELET_FAULT_DIR:-} ]] || {
		echo "kubelet_fault_requests: kubelet_fault_start has not run" >&2
		return 2
	}
	_kubelet_count "$KUBELET_FAULT_DIR/fault.log" path "${1:-}"
}

kubelet_fault_stop() {
	local pid start wrapper
	[[ -f $_T_STATE/kubelet-fault.pid ]] || return 0
	read -r pid start wrapper <"$_T_STATE/kubelet-fault.pid"
	t_kill_pid "$pid" "$start" 3000
	wait "$wrapper" 2>/dev/null
	rm -f "$_T_STATE/kubelet-fault.pid"
	KUBELET_FAULT_PID=
	export KUBELET_FAULT_PID
	return 0
}

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/test_kubelet_harness.sh - the own test of the kubelet
# stand-ins, so that a later failure is not blamed on them:
# tests/lib/kubelet.sh (PKI, nginx on HTTPS with the kubelet's authorization
# rules), tests/tools/kubeletd.py (every fault mode) and
# tests/tools/mkpodlist.py (lists parse; the --expect files agree with an
# independent reading of the lists, written here).
# Needs nginx (nginx-light), openssl, python3; curl when present, else a
# python3 client (P2P_NO_CURL=1 forces it).  Network: 127.0.0.1 only.
# Run from anywhere: bash tests/integration/test_kubelet_harness.sh
# Output: ok / not ok / skip lines (see tests/lib/common.sh); exit 1 on any not ok.

# shellcheck source-path=SCRIPTDIR
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=../lib/common.sh
source "$HERE/../lib/common.sh"
# shellcheck source=../lib/kubelet.sh
source "$HERE/../lib/kubelet.sh"

R=$(t_repo_root)
T=$R/tests/tools
PY=/usr/bin/python3
[[ -x $PY ]] || PY=$(command -v python3)

missing=
for c in nginx openssl ss "$PY"; do
	command -v "$c" >/dev/null || [[ -x $c ]] || [[ $c == nginx && -x /usr/sbin/nginx ]] || missing+=" $c"
done
if [[ -n $missing ]]; then
	t_fail kubelet/tools "missing:$missing (packages nginx-light openssl iproute2 python3)"
	t_done
	exit
fi
USE_CURL=0
if [[ ${P2P_NO_CURL:-0} != 1 ]] && command -v curl >/dev/null; then
	USE_CURL=1
fi
t_log "client: $( ((USE_CURL)) && echo curl || echo python3)"

W=$(t_workdir)
P=$W/pki
T0=$(t_now_ms)

# --- a client ---------------------------------------------------------------------
# fetch URL OUT [options] prints "CODE CLASS" (CODE 000 when no HTTP answer) and
# writes the body to OUT (what arrived of it), the headers to OUT.h.
#   --token FILE   send "Authorization: Bearer <contents>"
#   --auth VALUE   send "Authorization: VALUE"
#   --cert NAME    client certificate $P/NAME.crt + .key
#   --ca FILE      trust FILE (default $P/ca.crt)
#   --max-time S   give up after S seconds (default 5)
#   --resolve H:PORT:IP  connect to IP for host H (SNI and verification use H)
#   --twice        the request twice on one connection (body: the second)
# CLASS: ok | connect | partial | timeout | empty | tls-verify | tls | other.

cat >"$W/fetch.py" <<'PYEOF'
import http.client, socket, ssl, sys, time, urllib.parse
a = sys.argv[1:]
url, out = a[0], a[1]
opt = {"ca": None, "max": 5.0, "token": None, "auth": None, "cert": None, "resolve": None, "twice": False}
i = 2
while i < len(a):
    k = a[i]
    if k == "--twice":
        opt["twice"] = True; i += 1; continue
    opt[{"--ca": "ca", "--max-time": "max", "--token": "token", "--auth": "auth",
         "--cert": "cert", "--resolve": "resolve"}[k]] = a[i + 1]
    i += 2
u = urllib.parse.urlsplit(url)
host, port = u.hostname, u.port
ip = host
if opt["resolve"]:
    h, p, ip = opt["resolve"].split(":")
ctx = ssl.create_default_context(cafile=opt["ca"])
if opt["cert"]:
    ctx.load_cert_chain(opt["cert"] + ".crt", opt["cert"] + ".key")
hdrs = {}
if opt["token"]:
    hdrs["Authorization"] = "Bearer " + open(opt["token"]).read()
if opt["auth"]:
    hdrs["Authorization"] = opt["auth"]
t = float(opt["max"])
code, cls, body, hlines = "000", "other", b"", []
try:
    sock = socket.create_connection((ip, port), timeout=t)
except OSError:
    cls = "connect"
else:
    try:
        s = ctx.wrap_socket(sock, server_hostname=host)
        conn = http.client.HTTPConnection(host, port, timeout=t)
        conn.sock = s
        for n in range(2 if opt["twice"] else 1):
            conn.request("GET", (u.path or "/") + ("?" + u.query if u.query else ""), headers=hdrs)
            r = conn.getresponse()
            code = "%03d" % r.status
            hlines = ["%s: %s" % kv for kv in r.getheaders()]
            body = b""
            cls = "ok"
            while True:
                try:
                    c = r.read1(65536)
                    if not c:
                        body += r.read()  # (ends the response: the connection is reusable)
                except http.client.IncompleteRead as e:
                    body += e.partial; cls = "partial"; break
                if not c:
                    break
                body += c
            if cls == "ok" and r.length not in (None, 0):
                cls = "partial"
    except ssl.SSLCertVerificationError:
        cls = "tls-verify"
    except ssl.SSLError:
        cls = "tls" if code == "000" else "partial"
    except (socket.timeout, TimeoutError):
        cls = "timeout"
    except http.client.RemoteDisconnected:
        cls = "empty"
    except (http.client.IncompleteRead, ConnectionError, OSError):
        cls = "partial" if code != "000" else "other"
open(out, "wb").write(body)
open(out + ".h", "w").write("\n".join(hlines) + "\n")
print(code, cls)
PYEOF

fetch() {
	local url=$1 out=$2 code rc cls
	shift 2
	local -a c=(--cacert "$P/ca.crt") p=()
	local max=5 twice=0
	while (($#)); do
		case $1 in
		--token) c+=(-H "Authorization: Bearer $(<"$2")"); p+=(--token "$2"); shift 2 ;;
		--auth) c+=(-H "Authorization: $2"); p+=(--auth "$2"); shift 2 ;;
		--cert) c+=(--cert "$P/$2.crt" --key "$P/$2.key"); p+=(--cert "$P/$2"); shift 2 ;;
		--ca) c[1]=$2; p+=(--ca "$2"); shift 2 ;;
		--max-time) max=$2; shift 2 ;;
		--resolve) c+=(--resolve "$2"); p+=(--resolve "$2"); shift 2 ;;
		--twice) twice=1; p+=(--twice); shift ;;
		*) echo "fetch: bad option $1" >&2; return 2 ;;
		esac
	done
	[[ ${p[*]} == *--ca* ]] || p+=(--ca "$P/ca.crt")
	if ((USE_CURL)); then
		local -a urls=("$url")
		((twice)) && urls=("$url" -o "$out" "$url")
		rc=0
		code=$(curl -sS --max-time "$max" "${c[@]}" -D "$out.h" -o "$out" -w '%{http_code}\n' "${urls[@]}" 2>"$out.err") || rc=$?
		code=${code##*$'\n'}
		[[ -n $code ]] || code=000
		case $rc in
		0) cls=ok ;;
		7) cls=connect ;;
		18 | 56) cls=partial ;;
		28) cls=timeout ;;
		52) cls=empty ;;
		60) cls=tls-verify ;;
		35) cls=tls ;;
		*) cls=other ;;
		esac
		[[ -f $out ]] || : >"$out"
		echo "$code $cls"
	else
		"$PY" "$W/fetch.py" "$url" "$out" --max-time "$max" "${p[@]}"
	fi
}

hdr() { # OUT NAME: the value of header NAME in OUT.h (lowercase name match)
	tr -d '\r' <"$1.h" | awk -v n="$(tr '[:upper:]' '[:lower:]' <<<"$2")" -F': ' 'tolower($1) == n { v = $2 } END { print v }'
}
size() { stat -c %s "$1"; }
check() { # NAME GOT WANT [DETAIL]
	if [[ $2 == "$3" ]]; then
		t_ok "$1"
	else
		t_fail "$1" "got '$2', want '$3'${4:+ ($4)}"
	fi
}

# --- PKI ------------------------------------------------------------------------

t1=$(t_now_ms)
kubelet_pki "$P"
rc=$?
PKI_MS=$(($(t_now_ms) - t1))
t_log "kubelet_pki: ${PKI_MS} ms"
bad=
for f in ca.crt ca.key server.crt server.key client.crt client.key other-ca.crt other-ca.key \
	other-client.crt other-client.key token token.forbidden; do
	[[ -s $P/$f ]] || bad+=" missing:$f"
done
for f in ca.key server.key client.key other-ca.key other-client.key token token.forbidden; do
	[[ $(stat -c %a "$P/$f" 2>/dev/null) == 600 ]] || bad+=" mode:$f=$(stat -c %a "$P/$f" 2>/dev/null)"
done
if ((rc == 0)) && [[ -z $bad ]]; then
	t_ok "kubelet/pki: files and modes (${PKI_MS} ms)"
else
	t_fail kubelet/pki "rc=$rc$bad"
fi

v1=$(openssl verify -CAfile "$P/ca.crt" "$P/server.crt" "$P/client.crt" 2>&1)
v2=$(openssl verify -CAfile "$P/ca.crt" "$P/other-client.crt" 2>&1) && v2="verified!"
v3=$(openssl verify -CAfile "$P/other-ca.crt" "$P/other-client.crt" 2>&1)
if [[ $v1 == *"server.crt: OK"*"client.crt: OK"* && $v2 != "verified!" && $v3 == *": OK" ]]; then
	t_ok "kubelet/pki: chains (server, client by the test CA; other-client only by the other CA)"
else
	t_fail kubelet/pki-chains "$v1 / $v2 / $v3"
fi
srv_text=$(openssl x509 -in "$P/server.crt" -noout -ext subjectAltName,extendedKeyUsage 2>&1)
cli_text=$(openssl x509 -in "$P/client.crt" -noout -subject -ext extendedKeyUsage 2>&1)
host=$(hostname)
want_host=1
[[ $host =~ ^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$ ]] || want_host=0
if [[ $srv_text == *"IP Address:127.0.0.1"* && $srv_text == *"DNS:localhost"* &&
	$srv_text == *"TLS Web Server Authentication"* &&
	(want_host -eq 0 || $srv_text == *"DNS:$host"*) &&
	$cli_text == *"CN = pid2pod-test"* && $cli_text == *"TLS Web Client Authentication"* ]]; then
	t_ok "kubelet/pki: server SANs (127.0.0.1, localhost, $host), client CN and clientAuth"
else
	t_fail kubelet/pki-names "server: $srv_text | client: $cli_text"
fi
tok=$(<"$P/token")
ftok=$(<"$P/token.forbidden")
if ((${#tok} >= 32 && ${#ftok} >= 32)) && [[ $tok != "$ftok" && $(tail -c1 "$P/token" | od -An -c) != *'\n'* ]]; then
	t_ok "kubelet/pki: two different tokens, no trailing newline"
else
	t_fail kubelet/pki-tokens "lengths ${#tok} ${#ftok}, equal: $([[ $tok == "$ftok" ]] && echo yes || echo no)"
fi

sum1=$(cat "$P"/* 2>/dev/null | md5sum)
t1=$(t_now_ms)
kubelet_pki "$P"
d=$(($(t_now_ms) - t1))
sum2=$(cat "$P"/* 2>/dev/null | md5sum)
if [[ $sum1 == "$sum2" ]] && ((d < 500)); then
	t_ok "kubelet/pki: idempotent (${d} ms, files unchanged)"
else
	t_fail kubelet/pki-idempotent "${d} ms, changed: $([[ $sum1 == "$sum2" ]] && echo no || echo yes)"
fi

# --- lists for the servers --------------------------------------------------------

hex() { # TAG [N]: N (default 64) hex digits derived from TAG
	local x
	x=$(printf '%s' "$1" | sha256sum)
	printf '%s\n' "${x:0:${2:-64}}"
}
U1=$(cat /proc/sys/kernel/random/uuid)
U2=$(cat /proc/sys/kernel/random/uuid)
"$PY" "$T/mkpodlist.py" -o "$W/l1.json" --expect "$W/l1.expect" \
	pods "default/web-7d9f8-abcde/$U1/app=$(hex a),sidecar=$(hex b)" \
	--owner ReplicaSet/web-7d9f8 --sa web --label app=web --label tier=frontend \
	--restarted app="$(hex a-old)" --init init-db="$(hex i)" \
	"kube-system/etcd-$host/$(hex static 32)/etcd=$(hex e)" --static --runtime cri-o \
	"tools/dbg/$U2/main=$(hex m)" --ephemeral debug="$(hex dbg)" --waiting pending \
	--image main=quay.io/x/main:1 2>"$W/mk.err"
rc1=$?
"$PY" "$T/mkpodlist.py" pods "other/one/$U2/c=$(hex c)" -o "$W/l2.json" 2>>"$W/mk.err"
rc2=$?
if ((rc1 == 0 && rc2 == 0)) && "$PY" -c 'import json,sys; [json.load(open(f)) for f in sys.argv[1:]]' \
	"$W/l1.json" "$W/l2.json" "$W/l1.expect" 2>>"$W/mk.err"; then
	t_ok "mkpodlist/pods: writes lists and an expect file that parse"
else
	t_fail mkpodlist/pods "rc $rc1 $rc2: $(head -3 "$W/mk.err")"
fi

# --- nginx --------------------------------------------------------------------------

if kubelet_start "$P" "$W/l1.json"; then
	t_ok "kubelet/start: nginx up in ${KUBELET_START_MS} ms"
else
	t_fail kubelet/start "kubelet_start failed: $(tail -3 "$P/error.log" 2>/dev/null)"
	t_done
	exit
fi
t_log "nginx pid $KUBELET_PID on $KUBELET_URL"
if [[ $KUBELET_URL == "https://127.0.0.1:$KUBELET_PORT" && $(<"/proc/$KUBELET_PID/comm") == nginx &&
	$KUBELET_ACCESS_LOG == "$P/access.log" ]] &&
	ss -ltnpH "sport = :$KUBELET_PORT" | awk '{print $4}' | grep -qx "127.0.0.1:$KUBELET_PORT"; then
	t_ok "kubelet/start: KUBELET_URL, KUBELET_PID (nginx), listening on 127.0.0.1 only"
else
	t_fail kubelet/start-vars "URL=$KUBELET_URL PID=$KUBELET_PID: $(ss -ltnpH "sport = :$KUBELET_PORT")"
fi
outside=
for fd in /proc/"$KUBELET_PID"/fd/*; do
	tgt=$(readlink "$fd") || continue
	[[ $tgt == /* && $tgt != /dev/null && $tgt != "$P"/* ]] && outside+=" $tgt"
done
if [[ -z $outside ]] && ! grep -q -e '/etc/' -e '/var/' "$P/nginx.conf" &&
	[[ $(stat -c %a "$P/nginx.conf") == 600 ]]; then
	t_ok "kubelet/start: nginx uses only files under its dir (fds, config 0600 without /etc or /var)"
else
	t_fail kubelet/private "outside:$outside; conf mode $(stat -c %a "$P/nginx.conf")"
fi

U=$KUBELET_URL
check "kubelet/nginx: no token -> 401" "$(fetch "$U/pods" "$W/b")" "401 ok"
check "kubelet/nginx: wrong token -> 401" "$(fetch "$U/pods" "$W/b" --auth "Bearer ${tok}x")" "401 ok"
check "kubelet/nginx: good token as Basic -> 401" "$(fetch "$U/pods" "$W/b" --auth "Basic $tok")" "401 ok"
check "kubelet/nginx: forbidden token -> 403" "$(fetch "$U/pods" "$W/b" --token "$P/token.forbidden")" "403 ok"
r=$(fetch "$U/pods" "$W/b" --token "$P/token")
if [[ $r == "200 ok" ]] && cmp -s "$W/b" "$W/l1.json" && [[ $(hdr "$W/b" content-type) == application/json ]]; then
	t_ok "kubelet/nginx: good token -> 200, the file's bytes, application/json"
else
	t_fail kubelet/nginx-token "$r, $(size "$W/b") of $(size "$W/l1.json") bytes, type $(hdr "$W/b" content-type)"
fi
r=$(fetch "$U/pods" "$W/b" --cert client)
if [[ $r == "200 ok" ]] && cmp -s "$W/b" "$W/l1.json"; then
	t_ok "kubelet/nginx: client certificate, no token -> 200"
else
	t_fail kubelet/nginx-cert "$r"
fi
check "kubelet/nginx: client certificate + forbidden token -> 200 (the certificate decides)" \
	"$(fetch "$U/pods" "$W/b" --cert client --token "$P/token.forbidden")" "200 ok"
check "kubelet/nginx: certificate of the other CA, no token -> 401" \
	"$(fetch "$U/pods" "$W/b" --cert other-client)" "401 ok"
check "kubelet/nginx: certificate of the other CA + good token -> 200" \
	"$(fetch "$U/pods" "$W/b" --cert other-client --token "$P/token")" "200 ok"
check "kubelet/nginx: other path -> 404" "$(fetch "$U/healthz" "$W/b" --token "$P/token")" "404 ok"
check "kubelet/nginx: /pods/ -> 404" "$(fetch "$U/pods/" "$W/b" --token "$P/token")" "404 ok"
check "kubelet/nginx: /pods?x=1 -> 200" "$(fetch "$U/pods?x=1" "$W/b" --token "$P/token")" "200 ok"

r1=$(fetch "$U/pods" "$W/b" --token "$P/token" --resolve "localhost:$KUBELET_PORT:127.0.0.1")
[[ $r1 == "200 ok" ]] && r1=ok
r3=ok
if ((want_host)); then
	r3=$(fetch "https://$host:$KUBELET_PORT/pods" "$W/b" --token "$P/token" --resolve "$host:$KUBELET_PORT:127.0.0.1")
	[[ $r3 == "200 ok" ]] && r3=ok
fi
r2=$(fetch "$U/pods" "$W/b" --token "$P/token" --ca "$P/other-ca.crt")
if [[ $r1 == ok && $r3 == ok && $r2 == "000 tls-verify" ]]; then
	t_ok "kubelet/nginx: server verified by the test CA (127.0.0.1, localhost, $host), not by the other CA"
else
	t_fail kubelet/nginx-tls "localhost: $r1, host: $r3, other CA: $r2"
fi

r=$(fetch "$U/pods" "$W/b" --token "$P/token" --twice)
kubelet_wait_requests 1 200 2000 # (the line of the last request may lag its answer)
sleep 0.05
last=$(tail -n 1 "$P/access.log")
prev=$(tail -n 2 "$P/access.log" | head -n 1)
lc=${last##* conn=}
lc=${lc%% *}
pc=${prev##* conn=}
pc=${pc%% *}
if [[ $r == "200 ok" && -n $lc && $lc == "$pc" && $last == *" req=2 "* ]]; then
	t_ok "kubelet/nginx: keep-alive (two requests on one connection)"
else
	t_fail kubelet/nginx-keepalive "$r | $prev | $last"
fi

kubelet_serve "$W/l2.json"
r=$(fetch "$U/pods" "$W/b" --token "$P/token")
if [[ $r == "200 ok" ]] && cmp -s "$W/b" "$W/l2.json"; then
	t_ok "kubelet/nginx: kubelet_serve changes the answer"
else
	t_fail kubelet/nginx-serve "$r"
fi
"$PY" "$T/mkpodlist.py" scale 300 --pad-bytes 4000000 -o "$W/big.json"
kubelet_serve "$W/big.json"
t1=$(t_now_ms)
r=$(fetch "$U/pods" "$W/b" --token "$P/token")
d=$(($(t_now_ms) - t1))
if [[ $r == "200 ok" ]] && cmp -s "$W/b" "$W/big.json" && (($(size "$W/big.json") == 4000000)); then
	t_ok "kubelet/nginx: a 4 MB list (mkpodlist scale 300 --pad-bytes) served whole in ${d} ms"
else
	t_fail kubelet/nginx-big "$r, $(size "$W/b") bytes"
fi
kubelet_serve "$W/l1.json"

# /pods so far: 401 x4 (no token, wrong, Basic, other CA's certificate),
# 403 x1, 200 x(10 + host): token, cert, cert + forbidden token, other CA +
# token, ?x=1, localhost, host (if any), twice (2), after serve, big.
want200=$((10 + want_host))
kubelet_wait_requests $((want200 + 5)) "" 2000
n_all=$(kubelet_requests)
n200=$(kubelet_requests 200)
n401=$(kubelet_requests 401)
n403=$(kubelet_requests 403)
n404=$(kubelet_requests 404)
if [[ $n_all == $((want200 + 4 + 1)) && $n200 == "$want200" && $n401 == 4 && $n403 == 1 && $n404 == 0 ]]; then
	t_ok "kubelet/nginx: kubelet_requests counts ($n_all /pods: $n200 x 200, $n401 x 401, $n403 x 403; 404s on other paths not counted)"
else
	t_fail kubelet/nginx-requests "all=$n_all 200=$n200 401=$n401 403=$n403 404=$n404 (want 200=$want200 401=4 403=1)"
fi
badlines=$(grep -cvE '^status=[0-9]{3} uri=[^ ]+ cert=(yes|failed|none) auth=(cert|token|forbidden|unauthorized|-) bearer=(good|forbidden|bad|none) bytes=[0-9]+ conn=[0-9]+ req=[0-9]+ ms=[0-9.]+ t=[0-9.]+$' "$P/access.log")
if [[ $badlines == 0 ]] && grep -q ' uri=/pods cert=failed auth=unauthorized bearer=none ' "$P/access.log" &&
	grep -q ' uri=/pods cert=yes auth=cert bearer=forbidden ' "$P/access.log"; then
	t_ok "kubelet/nginx: access log lines parse (status, uri, cert, auth, bytes)"
else
	t_fail kubelet/nginx-log "$badlines lines do not parse: $(grep -vE '^status=' "$P/access.log" | head -2)"
fi

# --- stop, restart ---------------------------------------------------------------

old_pid=$KUBELET_PID
old_port=$KUBELET_PORT
t1=$(t_now_ms)
kubelet_stop
d=$(($(t_now_ms) - t1))
r=$(fetch "$U/pods" "$W/b" --token "$P/token")
if ! t_pid_alive "$old_pid" && [[ -z $KUBELET_PID && $r == "000 connect" ]]; then
	t_ok "kubelet/stop: nginx gone in ${d} ms, connection refused"
else
	t_fail kubelet/stop "pid $old_pid alive: $(t_pid_alive "$old_pid" && echo yes || echo no), fetch: $r"
fi
t1=$(t_now_ms)
if kubelet_restart; then
	d=$(($(t_now_ms) - t1))
	r=$(fetch "$U/pods" "$W/b" --token "$P/token")
	if [[ $KUBELET_PORT == "$old_port" && $KUBELET_PID != "$old_pid" && $r == "200 ok" ]] && cmp -s "$W/b" "$W/l1.json"; then
		t_ok "kubelet/restart: same port, new pid, same answer (${d} ms)"
	else
		t_fail kubelet/restart "port $KUBELET_PORT (was $old_port), pid $KUBELET_PID, $r"
	fi
else
	t_fail kubelet/restart "kubelet_restart failed: $(tail -3 "$P/error.log")"
fi

# --- kubeletd.py ----------------------------------------------------------------

if kubelet_fault_start "$P" ok "$W/l1.json"; then
	t_ok "kubeletd: started in ${KUBELET_FAULT_START_MS} ms"
else
	t_fail kubeletd/start "$(tail -3 "$P/kubeletd.out" 2>/dev/null)"
	t_done
	exit
fi
F=$KUBELET_FAULT_URL
FPID=$KUBELET_FAULT_PID
if [[ $F == "https://127.0.0.1:$KUBELET_FAULT_PORT" && $KUBELET_FAULT_PORT != "$KUBELET_PORT" ]] &&
	ss -ltnpH "sport = :$KUBELET_FAULT_PORT" | grep -q "pid=$FPID,"; then
	t_ok "kubeletd: KUBELET_FAULT_URL, own port, KUBELET_FAULT_PID listens"
else
	t_fail kubeletd/vars "URL=$F PID=$FPID"
fi
check "kubeletd: no token -> 401" "$(fetch "$F/pods" "$W/b")" "401 ok"
check "kubeletd: wrong token -> 401" "$(fetch "$F/pods" "$W/b" --auth "Bearer ${tok}x")" "401 ok"
check "kubeletd: forbidden token -> 403" "$(fetch "$F/pods" "$W/b" --token "$P/token.forbidden")" "403 ok"
check "kubeletd: client certificate -> 200" "$(fetch "$F/pods" "$W/b" --cert client)" "200 ok"
check "kubeletd: certificate of the other CA, no token -> 401" "$(fetch "$F/pods" "$W/b" --cert other-client)" "401 ok"
check "kubeletd: other path -> 404" "$(fetch "$F/metrics" "$W/b" --token "$P/token")" "404 ok"
r=$(fetch "$F/pods" "$W/b" --token "$P/token")
if [[ $r == "200 ok" ]] && cmp -s "$W/b" "$W/l1.json" && [[ $(hdr "$W/b" content-type) == application/json ]]; then
	t_ok "kubeletd ok: 200, the file's bytes, application/json"
else
	t_fail "kubeletd ok" "$r, $(size "$W/b") bytes"
fi
check "kubeletd: server not verified by the other CA" "$(fetch "$F/pods" "$W/b" --token "$P/token" --ca "$P/other-ca.crt")" "000 tls-verify"

L1SIZE=$(size "$W/l1.json")
HALF=$((L1SIZE / 2))

kubelet_fault_mode chunked
r=$(fetch "$F/pods" "$W/b" --token "$P/token")
if [[ $r == "200 ok" ]] && cmp -s "$W/b" "$W/l1.json" && [[ $(hdr "$W/b" transfer-encoding) == chunked ]]; then
	t_ok "kubeletd chunked: 200, Transfer-Encoding: chunked, the file's bytes"
else
	t_fail "kubeletd chunked" "$r, te=$(hdr "$W/b" transfer-encoding), $(size "$W/b") bytes"
fi

kubelet_fault_mode slow:0.6
t1=$(t_now_ms)
r=$(fetch "$F/pods" "$W/b" --token "$P/token")
d=$(($(t_now_ms) - t1))
if [[ $r == "200 ok" ]] && cmp -s "$W/b" "$W/l1.json" && ((d >= 600 && d < 3000)); then
	t_ok "kubeletd slow:0.6: answered after ${d} ms"
else
	t_fail "kubeletd slow" "$r after ${d} ms"
fi
kubelet_fault_mode slow:3
r=$(fetch "$F/pods" "$W/b" --token "$P/token" --max-time 0.5)
check "kubeletd slow:3: a client with a 0.5 s timeout times out" "$r" "000 timeout"

for code in 500 503; do
	kubelet_fault_mode "status:$code"
	r=$(fetch "$F/pods" "$W/b" --token "$P/token")
	if [[ $r == "$code ok" ]] && (($(size "$W/b") > 0 && $(size "$W/b") < 200)); then
		t_ok "kubeletd status:$code: $code with a short body"
	else
		t_fail "kubeletd status:$code" "$r, $(size "$W/b") bytes"
	fi
done

kubelet_fault_mode garbage
r=$(fetch "$F/pods" "$W/b" --token "$P/token")
if [[ $r == "200 ok" ]] && (($(size "$W/b") > 0)) && ! "$PY" -c 'import json,sys; json.loads(open(sys.argv[1],"rb").read())' "$W/b" 2>/dev/null; then
	t_ok "kubeletd garbage: 200 and not JSON"
else
	t_fail "kubeletd garbage" "$r"
fi

kubelet_fault_mode truncated
r=$(fetch "$F/pods" "$W/b" --token "$P/token")
if [[ ${r% *} == 200 && ${r#* } == partial && $(size "$W/b") == "$HALF" && $(hdr "$W/b" content-length) == "$L1SIZE" ]]; then
	t_ok "kubeletd truncated: Content-Length $L1SIZE, $HALF bytes, then closed"
else
	t_fail "kubeletd truncated" "$r, $(size "$W/b") bytes, content-length $(hdr "$W/b" content-length)"
fi

kubelet_fault_mode chunked-truncated
r=$(fetch "$F/pods" "$W/b" --token "$P/token")
if [[ ${r% *} == 200 && ${r#* } == partial && $(size "$W/b") -le $HALF && $(size "$W/b") -gt 0 ]]; then
	t_ok "kubeletd chunked-truncated: $(size "$W/b") bytes, no last chunk"
else
	t_fail "kubeletd chunked-truncated" "$r, $(size "$W/b") bytes"
fi

kubelet_fault_mode stall
t1=$(t_now_ms)
r=$(fetch "$F/pods" "$W/b" --token "$P/token" --max-time 1)
d=$(($(t_now_ms) - t1))
if [[ ${r#* } == timeout && $(size "$W/b") == "$HALF" ]] && ((d >= 1000)) &&
	t_wait_for 2000 grep -q 'mode=stall status=200 .* outcome=stalled' "$KUBELET_FAULT_LOG"; then
	t_ok "kubeletd stall: half the body, then nothing until the client gave up (${d} ms), logged then"
else
	t_fail "kubeletd stall" "$r after ${d} ms, $(size "$W/b") bytes; log: $(tail -1 "$KUBELET_FAULT_LOG")"
fi

kubelet_fault_mode drop
check "kubeletd drop: connection closed without an answer" "$(fetch "$F/pods" "$W/b" --token "$P/token")" "000 empty"

kubelet_fault_mode big:2
t1=$(t_now_ms)
r=$(fetch "$F/pods" "$W/b" --token "$P/token")
d=$(($(t_now_ms) - t1))
if [[ $r == "200 ok" ]] && out=$("$PY" - "$W/b" "$W/l1.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
l1 = json.load(open(sys.argv[2]))
assert d["kind"] == "PodList", d.get("kind")
n = len(l1["items"])
assert d["items"][:n] == l1["items"], "the file's items first"
uids = [i["metadata"]["uid"] for i in d["items"]]
assert len(set(uids)) == len(uids), "uids unique"
ids = [c["containerID"] for i in d["items"] for c in i["status"].get("containerStatuses", []) if "containerID" in c]
assert len(set(ids)) == len(ids), "container ids unique"
print(len(d["items"]))
PYEOF
) && (($(size "$W/b") == 2 * 1048576)) && [[ $(hdr "$W/b" content-length) == $((2 * 1048576)) ]]; then
	t_ok "kubeletd big:2: a valid PodList of exactly 2 MiB ($out items, Content-Length, ${d} ms)"
else
	t_fail "kubeletd big:2" "$r, $(size "$W/b") bytes: $out"
fi
kubelet_fault_mode big-chunked:1.5
r=$(fetch "$F/pods" "$W/b" --token "$P/token")
if [[ $r == "200 ok" && $(hdr "$W/b" transfer-encoding) == chunked ]] &&
	"$PY" -c 'import json,sys; assert json.load(open(sys.argv[1]))["kind"] == "PodList"' "$W/b" &&
	(($(size "$W/b") == 1572864)); then
	t_ok "kubeletd big-chunked:1.5: a valid PodList of exactly 1.5 MiB, chunked"
else
	t_fail "kubeletd big-chunked" "$r, $(size "$W/b") bytes"
fi

kubelet_fault_mode ok
kubelet_fault_serve "$W/l2.json"
r=$(fetch "$F/pods" "$W/b" --token "$P/token")
if [[ $r == "200 ok" ]] && cmp -s "$W/b" "$W/l2.json" && [[ $KUBELET_FAULT_PID == "$FPID" ]] && t_pid_alive "$FPID"; then
	t_ok "kubeletd: modes switched at run time, one process; kubelet_fault_serve changes the answer"
else
	t_fail kubeletd/switch "$r, pid $KUBELET_FAULT_PID (was $FPID)"
fi

badlines=$(grep -vcE '^t=[0-9.]+ (mode=[^ ]+ status=[0-9]+ path=[^ ]+ auth=(cert|token|forbidden|bad|none|-) bytes=[0-9]+ outcome=(complete|truncated|stalled|dropped|client-gone|stopped)|tls-error=[^ ]+)$' "$KUBELET_FAULT_LOG")
f_all=$(kubelet_fault_requests)
f401=$(kubelet_fault_requests 401)
f503=$(kubelet_fault_requests 503)
if [[ $badlines == 0 && $f401 == 3 && $f503 == 1 && $f_all -ge 18 ]]; then
	t_ok "kubeletd: log lines parse, kubelet_fault_requests counts ($f_all /pods, $f401 x 401)"
else
	t_fail kubeletd/log "$badlines bad lines, all=$f_all 401=$f401 503=$f503"
fi

leak=
for f in "$P"/*.log "$P"/*.out; do
	[[ -f $f ]] || continue
	if grep -qF -e "$tok" -e "$ftok" "$f"; then
		leak+=" $(basename "$f")"
	fi
done
nlogs=$(cat "$P"/*.log | wc -l)
if [[ -z $leak ]] && ((nlogs > 40)); then
	t_ok "kubelet: no token in any log ($nlogs log lines: access, error, fault)"
else
	t_fail kubelet/token-leak "in:$leak ($nlogs lines)"
fi

# SIGTERM while an answer is stalled: out at once, no traceback.
kubelet_fault_mode stall
fetch "$F/pods" "$W/b2" --token "$P/token" --max-time 5 >"$W/stall.r" &
bg=$!
# (curl holds the half body in its buffer: wait for the connection instead)
connected() { [[ -n $(ss -tnH state established "dport = :$1") ]]; }
t_wait_for 2000 connected "$KUBELET_FAULT_PORT"
sleep 0.2
t1=$(t_now_ms)
kubelet_fault_stop
d=$(($(t_now_ms) - t1))
wait "$bg"
if ! t_pid_alive "$FPID" && ((d < 2000)) && [[ -z $KUBELET_FAULT_PID ]] &&
	! grep -q Traceback "$P/kubeletd.out"; then
	t_ok "kubeletd: SIGTERM during a stalled answer: gone in ${d} ms, no traceback (client: $(<"$W/stall.r"))"
else
	t_fail kubeletd/stop "${d} ms, alive: $(t_pid_alive "$FPID" && echo yes || echo no); $(tail -3 "$P/kubeletd.out")"
fi

# --- mkpodlist.py against an independent reading -----------------------------

# check_expect LIST EXPECT [STATS]: the rules of src/podmeta/podlist.h, read anew.
cat >"$W/check_expect.py" <<'PYEOF'
import json, sys

text = open(sys.argv[1], encoding="utf-8").read()
doc = json.loads(text)
exp = json.load(open(sys.argv[2]))
stats = json.load(open(sys.argv[3])) if len(sys.argv) > 3 else None

def s(v):
    return v if isinstance(v, str) else None

def d(v):
    return v if isinstance(v, dict) else {}

seen, found = set(), {}
n_items = n_pods = 0
for it in doc.get("items") or []:
    n_items += 1
    if not isinstance(it, dict) or not isinstance(it.get("metadata"), dict):
        continue
    md = it["metadata"]
    uid = md.get("uid")
    if not isinstance(uid, str) or not uid or uid in seen:
        continue
    seen.add(uid)
    n_pods += 1
    labels = {k: v for k, v in d(md.get("labels")).items() if isinstance(v, str)}
    owner = None
    refs = md.get("ownerReferences")
    for r in refs if isinstance(refs, list) else []:
        if isinstance(r, dict) and r.get("controller") is True:
            owner = "%s/%s" % (r.get("kind"), r.get("name"))
            break
    spec, status = d(it.get("spec")), d(it.get("status"))
    for sk, pk, kind in (("containerStatuses", "containers", "container"),
                         ("initContainerStatuses", "initContainers", "init"),
                         ("ephemeralContainerStatuses", "ephemeralContainers", "ephemeral")):
        specimg = {}
        sl = spec.get(pk)
        for c in sl if isinstance(sl, list) else []:
            if isinstance(c, dict) and s(c.get("name")):
                specimg[c["name"]] = s(c.get("image"))
        lst = status.get(sk)
        for cs in lst if isinstance(lst, list) else []:
            if not isinstance(cs, dict):
                continue
            name = s(cs.get("name"))
            image = s(cs.get("image")) or specimg.get(name)
            for cid, prev in ((cs.get("containerID"), False),
                              (d(d(cs.get("lastState")).get("terminated")).get("containerID"), True)):
                if not isinstance(cid, str) or "://" not in cid:
                    continue
                bare = cid.split("://", 1)[1].lower()
                found.setdefault(bare, []).append({
                    "uid": uid, "namespace": s(md.get("namespace")), "pod": s(md.get("name")),
                    "container": name, "image": image, "owner": owner,
                    "sa": s(spec.get("serviceAccountName")), "labels": labels,
                    "kind": kind, "previous": prev})

errors = []
for bare, e in exp.items():
    if e.get("ambiguous"):
        uids = sorted({f["uid"] for f in found.get(bare, [])})
        if len(uids) < 2 or uids != sorted(e["uids"]):
            errors.append("%s: ambiguous %s, found %s" % (bare[:12], e["uids"], uids))
    elif e.get("absent"):
        if bare in found:
            errors.append("%s: absent (%s) but found" % (bare[:12], e["why"]))
        if bare not in text:
            errors.append("%s: absent, but not in the list at all" % bare[:12])
    else:
        f = found.get(bare, [])
        if len({x["uid"] for x in f}) != 1:
            errors.append("%s: want one pod, found %d" % (bare[:12], len(f)))
        elif f[0] != e:
            errors.append("%s: want %s, found %s" % (bare[:12], e, f[0]))
for bare in found:
    if bare not in exp:
        errors.append("%s: found, not expected" % bare[:12])
if stats is not None and stats != {"items": n_items, "pods": n_pods, "skipped": n_items - n_pods}:
    errors.append("stats %s, read %d items %d pods" % (stats, n_items, n_pods))
if errors:
    print("; ".join(errors[:5]) + (" (+%d more)" % (len(errors) - 5) if len(errors) > 5 else ""))
    sys.exit(1)
kinds = {}
for e in exp.values():
    k = "ambiguous" if e.get("ambiguous") else "absent" if e.get("absent") else e["kind"] + ("-previous" if e["previous"] else "")
    kinds[k] = kinds.get(k, 0) + 1
print(" ".join("%s=%d" % kv for kv in sorted(kinds.items())))
PYEOF

if out=$("$PY" "$W/check_expect.py" "$W/l1.json" "$W/l1.expect" 2>&1) &&
	"$PY" - "$W/l1.json" "$W/l1.expect" "$host" "$(hex static 32)" <<'PYEOF' 2>>"$W/mk.err"
import json, sys
d = json.load(open(sys.argv[1])); e = json.load(open(sys.argv[2]))
host, h32 = sys.argv[3], sys.argv[4]
assert (d["kind"], d["apiVersion"], d["metadata"]) == ("PodList", "v1", {})
web, etcd, dbg = d["items"]
m = web["metadata"]
assert m["ownerReferences"] == [dict(m["ownerReferences"][0], kind="ReplicaSet", name="web-7d9f8", controller=True)]
assert m["labels"] == {"app": "web", "tier": "frontend"} and web["spec"]["serviceAccountName"] == "web"
cs = web["status"]["containerStatuses"]
assert cs[0]["containerID"].startswith("containerd://") and cs[0]["lastState"]["terminated"]["containerID"].startswith("containerd://")
assert cs[0]["restartCount"] == 1 and "running" in cs[0]["state"] and cs[0]["ready"] is True
assert web["status"]["initContainerStatuses"][0]["state"]["terminated"]["exitCode"] == 0
assert etcd["metadata"]["uid"] == h32 and etcd["metadata"]["ownerReferences"][0]["kind"] == "Node"
assert etcd["metadata"]["annotations"]["kubernetes.io/config.source"] == "file"
assert etcd["status"]["containerStatuses"][0]["containerID"].startswith("cri-o://")
assert etcd["spec"]["nodeName"] == host
assert dbg["status"]["ephemeralContainerStatuses"][0]["name"] == "debug"
w = [c for c in dbg["status"]["containerStatuses"] if c["name"] == "pending"][0]
assert "containerID" not in w and "waiting" in w["state"]
assert dbg["status"]["containerStatuses"][0]["image"] == "quay.io/x/main:1"
assert len(e) == 7, len(e)
PYEOF
then
	t_ok "mkpodlist/pods: kubelet-shaped items (owner, sa, labels, runtimes, static, init, ephemeral, waiting, restarted); expect matches ($out)"
else
	t_fail mkpodlist/pods-content "$out $(tail -3 "$W/mk.err")"
fi

t1=$(t_now_ms)
"$PY" "$T/mkpodlist.py" scale 500 --seed 7 -o "$W/s.json" --expect "$W/s.expect" --stats "$W/s.stats" 2>>"$W/mk.err"
d=$(($(t_now_ms) - t1))
if out=$("$PY" "$W/check_expect.py" "$W/s.json" "$W/s.expect" "$W/s.stats" 2>&1) &&
	"$PY" - "$W/s.json" <<'PYEOF' 2>>"$W/mk.err"
import json, sys, re
d = json.load(open(sys.argv[1]))
items = d["items"]
assert len(items) == 500
uids = [i["metadata"]["uid"] for i in items]
assert len(set(uids)) == 500
assert any(re.fullmatch("[0-9a-f]{32}", u) for u in uids), "a static pod"
kinds = {(i["metadata"].get("ownerReferences") or [{"kind": None}])[0]["kind"] for i in items}
assert kinds >= {"ReplicaSet", "StatefulSet", "DaemonSet", "Job", "Node", None}, kinds
n = [len(i["status"]["containerStatuses"]) for i in items]
assert min(n) == 1 and max(n) == 3
assert all(len(i["status"]["initContainerStatuses"]) == 1 for i in items)
assert sum("containerID" in i["status"]["initContainerStatuses"][0]["lastState"].get("terminated", {}) for i in items) >= 100
assert sum("ephemeralContainerStatuses" in i["status"] for i in items) >= 10
PYEOF
then
	t_ok "mkpodlist/scale 500: owners, 1-3 containers, init (restarted), ephemeral; expect matches (${d} ms; $out)"
else
	t_fail mkpodlist/scale "$out $(tail -3 "$W/mk.err")"
fi
{
	"$PY" "$T/mkpodlist.py" scale 200 --seed 7 -o "$W/s1.json" --expect "$W/s1.expect"
	"$PY" "$T/mkpodlist.py" scale 200 --seed 7 -o "$W/s2.json"
	"$PY" "$T/mkpodlist.py" scale 200 --seed 7 --pad-bytes 3000000 -o "$W/sp.json" --expect "$W/sp.expect"
	"$PY" "$T/mkpodlist.py" scale 200 --seed 8 --expect "$W/s8.expect" >/dev/null
} 2>>"$W/mk.err"
if cmp -s "$W/s1.json" "$W/s2.json" && cmp -s "$W/s1.expect" "$W/sp.expect" && ! cmp -s "$W/s1.expect" "$W/s8.expect" &&
	(($(size "$W/sp.json") == 3000000)) && out=$("$PY" "$W/check_expect.py" "$W/sp.json" "$W/sp.expect" 2>&1); then
	t_ok "mkpodlist/scale: deterministic per seed, --pad-bytes 3000000 gives exactly 3000000 bytes with the same ids"
else
	t_fail mkpodlist/scale-pad "$(size "$W/sp.json") bytes; $out"
fi

"$PY" "$T/mkpodlist.py" shapes -o "$W/sh.json" --expect "$W/sh.expect" --stats "$W/sh.stats" 2>>"$W/mk.err"
if out=$("$PY" "$W/check_expect.py" "$W/sh.json" "$W/sh.expect" "$W/sh.stats" 2>&1) &&
	"$PY" - "$W/sh.json" "$W/sh.expect" <<'PYEOF' 2>>"$W/mk.err"
import json, sys, re
text = open(sys.argv[1], encoding="utf-8").read()
d = json.loads(text); e = json.load(open(sys.argv[2]))
items = d["items"]
assert None in items and any(isinstance(i, (int, str, list)) for i in items)
assert any(isinstance(i, dict) and isinstance(i.get("metadata"), dict) and "uid" not in i["metadata"] for i in items)
assert "cri-o://" in text and "docker://" in text and '"containerID":""' in text
assert any(re.fullmatch("[0-9a-f]{32}", v["uid"]) for v in e.values() if "uid" in v)
assert sum(1 for v in e.values() if v.get("ambiguous")) == 1
assert sum(1 for v in e.values() if v.get("absent")) >= 6
assert any(v.get("previous") for v in e.values() if "previous" in v)
assert {v["kind"] for v in e.values() if "kind" in v} == {"container", "init", "ephemeral"}
assert any(v.get("pod", "") is None for v in e.values()) and any(v.get("namespace", "") is None for v in e.values())
assert list(d)[-1] == "metadata"
PYEOF
then
	t_ok "mkpodlist/shapes: every shape present; expect (with ambiguous and absent ids) and stats match ($out)"
else
	t_fail mkpodlist/shapes "$out $(tail -3 "$W/mk.err")"
fi

# --- what is left ---------------------------------------------------------------

kubelet_stop
left=
t_pid_alive "$old_pid" && left+=" nginx:$old_pid"
[[ -n ${KUBELET_PID:-} ]] && left+=" nginx:$KUBELET_PID"
t_pid_alive "$FPID" && left+=" kubeletd:$FPID"
for port in "$KUBELET_PORT" "$KUBELET_FAULT_PORT"; do
	[[ -n $(ss -ltnH "sport = :$port") ]] && left+=" port:$port"
done
if [[ -z $left ]]; then
	t_ok "kubelet: nothing left running ($(($(t_now_ms) - T0)) ms in all)"
else
	t_fail kubelet/leftovers "$left"
fi
t_done

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_install.sh - `make install` honours DESTDIR, SBINDIR, SYSCONFDIR,
# MANDIR: files, owners and modes as auditd demands, the plugins.d stanza
# pointing at the installed binary and config (inactive as shipped, at most
# two args words), the installed binary accepting the installed config;
# `make uninstall` leaves nothing behind.
set -u
. "$(dirname "$0")/../lib/common.sh"
R=$(t_repo_root)
W=$(t_workdir)
D=$W/root
cd "$R" || exit 1

make -s B="${B:-build}" install DESTDIR="$D" SBINDIR=/usr/sbin SYSCONFDIR=/etc \
	MANDIR=/usr/share/man >"$W/install.log" 2>&1 ||
	{ t_fail "make install" "$(tail -5 "$W/install.log")"; t_done; exit; }
t_ok "make install into DESTDIR"

want="750 0 usr/sbin/audisp-pid2pod
755 0 usr/bin/pid2pod
644 0 usr/share/man/man1/pid2pod.1
644 0 usr/share/bash-completion/completions/pid2pod
640 0 etc/audit/pid2pod.conf
640 0 etc/audit/plugins.d/pid2pod.conf
640 0 etc/audit/rules.d/70-pid2pod.rules
644 0 usr/share/man/man5/pid2pod.conf.5
644 0 usr/share/man/man8/audisp-pid2pod.8"
got=$(cd "$D" && find . -type f -printf '%m %U %P\n' | sort -k3)
[ "$got" = "$(echo "$want" | sort -k3)" ] && t_ok "installed files, modes and owners" ||
	t_fail "installed files" "$(echo "$got" | tr '\n' ';')"

st=$D/etc/audit/plugins.d/pid2pod.conf
grep -qx 'path = /usr/sbin/audisp-pid2pod' "$st" && grep -qx 'args = -c /etc/audit/pid2pod.conf' "$st" &&
	grep -qx 'active = no' "$st" && [ "$(sed -n 's/^args = //p' "$st" | wc -w)" -le 2 ] &&
	t_ok "stanza: installed path and config, inactive, two args words" ||
	t_fail "stanza" "$(tr '\n' ';' < "$st")"
"$D/usr/sbin/audisp-pid2pod" -n -c "$D/etc/audit/pid2pod.conf" >/dev/null 2>&1 &&
	t_ok "the installed binary accepts the installed config" ||
	t_fail "installed -n" "$("$D/usr/sbin/audisp-pid2pod" -n -c "$D/etc/audit/pid2pod.conf" 2>&1)"

"$D/usr/bin/pid2pod" -c "$D/etc/audit/pid2pod.conf" --no-kubelet lookup 1 >"$W/cli.out" 2>&1 &&
	grep -q '^1  .* host ' "$W/cli.out" &&
	t_ok "the installed pid2pod reads the installed config" ||
	t_fail "installed pid2pod" "$(cat "$W/cli.out")"
bash -c ". '$D/usr/share/bash-completion/completions/pid2pod' && complete -p pid2pod" >/dev/null 2>&1 &&
	t_ok "the bash completion loads" || t_fail "completion" "complete -p pid2pod failed"

make -s B="${B:-build}" install DESTDIR="$W/root2" >/dev/null 2>&1 &&
	[ -x "$W/root2/sbin/audisp-pid2pod" ] && [ -f "$W/root2/usr/share/man/man8/audisp-pid2pod.8" ] &&
	[ -x "$W/root2/usr/bin/pid2pod" ] && [ -f "$W/root2/usr/share/man/man1/pid2pod.1" ] &&
	t_ok "default prefixes: /sbin, /usr/bin and /usr/share/man" || t_fail "default prefixes" "$(cd "$W/root2" && find . -type f)"

make -s B="${B:-build}" uninstall DESTDIR="$D" SBINDIR=/usr/sbin SYSCONFDIR=/etc MANDIR=/usr/share/man >/dev/null 2>&1
left=$(find "$D" -type f | wc -l)
[ "$left" -eq 0 ] && t_ok "make uninstall removes every file" || t_fail "uninstall" "$left files left"
t_done

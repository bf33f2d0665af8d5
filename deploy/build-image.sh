#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# deploy/build-image.sh - the DaemonSet's image from Debian's archive alone,
# no registry and no container engine: one mmdebstrap call makes the root
# filesystem (Debian 12 --variant=apt, auditd, rsyslog, procps and the
# pid2pod .deb, the entrypoint where the Dockerfile puts it), then
# oci-archive.py wraps it in an OCI image archive, tagged as
# kustomization.yaml names it, that `ctr image import` loads.
#
#   deploy/build-image.sh DEB OUT_DIR
#     OUT_DIR/rootfs.tar       the root filesystem (mmdebstrap's output)
#     OUT_DIR/pid2pod-image.tar the OCI archive (one uncompressed layer)
#     OUT_DIR/image.name       its name, e.g. registry.example.com/pid2pod:0.1.0
#
# Environment: P2P_DEBIAN_MIRROR (default http://deb.debian.org), the suite
# is bookworm with -updates and -security, as debian:12 has.  Needs root
# (mmdebstrap's root mode), mmdebstrap and python3-yaml; `make image` runs
# it.  Deployment on a node without a registry: README, "DaemonSet" (details: docs/design.md).
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 DEB OUT_DIR" >&2; exit 2; }
deb=$(realpath "$1")
out=$2
here=$(cd "$(dirname "$0")" && pwd)
m=${P2P_DEBIAN_MIRROR:-http://deb.debian.org}
[ -f "$deb" ] || { echo "$0: no package at $1 (make deb)" >&2; exit 1; }
command -v mmdebstrap >/dev/null || { echo "$0: mmdebstrap missing (apt-get install mmdebstrap)" >&2; exit 1; }
mkdir -p "$out"
name=$(python3 - "$here/kustomization.yaml" <<'PY'
import sys, yaml
k = yaml.safe_load(open(sys.argv[1]))
i = [i for i in k["images"] if i["name"] == "pid2pod"][0]
print("%s:%s" % (i.get("newName", "pid2pod"), i.get("newTag", "latest")))
PY
)

# The package is installed by apt from a path inside, then removed; apt's
# lists and cache are removed by mmdebstrap's cleanup.  The entrypoint: as
# the Dockerfile's COPY puts it.
rm -f "$out/rootfs.tar"
mmdebstrap --mode=root --variant=apt --format=tar \
	--include=auditd,rsyslog,procps \
	--customize-hook="upload $deb /tmp/pid2pod.deb" \
	--customize-hook='chroot "$1" apt-get install -y -q --no-install-recommends /tmp/pid2pod.deb' \
	--customize-hook='rm -f "$1/tmp/pid2pod.deb"' \
	--customize-hook="upload $here/entrypoint.sh /usr/local/sbin/pid2pod-entrypoint" \
	--customize-hook='chroot "$1" chmod 0755 /usr/local/sbin/pid2pod-entrypoint' \
	--customize-hook='chroot "$1" audisp-pid2pod -V' \
	bookworm "$out/rootfs.tar" \
	"deb $m/debian bookworm main" \
	"deb $m/debian bookworm-updates main" \
	"deb $m/debian-security bookworm-security main" </dev/null
python3 "$here/oci-archive.py" "$out/rootfs.tar" "$name" "$out/pid2pod-image.tar"
printf '%s\n' "$name" >"$out/image.name"
echo "$out/pid2pod-image.tar: $name ($(du -m "$out/pid2pod-image.tar" | cut -f1) MiB)"

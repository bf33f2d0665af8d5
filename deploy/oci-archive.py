#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""deploy/oci-archive.py ROOTFS_TAR NAME OUT_TAR - an OCI image archive (the
image-layout of the OCI image spec, as a tar) of one root filesystem tar:
one uncompressed layer, an image config whose ENTRYPOINT is the one of
deploy/Dockerfile, and index.json naming the image NAME (the annotation
`ctr image import` tags it with, and the OCI ref name).  No registry, no
container engine: what deploy/build-image.sh wraps mmdebstrap's output in.
"""
import hashlib, io, json, os, platform, re, sys, tarfile, time

ARCH = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "ppc64le": "ppc64le",
        "s390x": "s390x", "riscv64": "riscv64"}
CHUNK = 1 << 20


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(CHUNK), b""):
            h.update(b)
    return "sha256:" + h.hexdigest()


def dockerfile_entrypoint(path):
    for line in open(path):
        m = re.match(r"ENTRYPOINT\s+(\[.*\])\s*$", line)
        if m:
            return json.loads(m.group(1))
    sys.exit("%s: no ENTRYPOINT [...] line" % path)


def add_bytes(tar, name, data, mtime):
    ti = tarfile.TarInfo(name)
    ti.size, ti.mtime, ti.mode = len(data), mtime, 0o644
    tar.addfile(ti, io.BytesIO(data))


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: oci-archive.py ROOTFS_TAR NAME OUT_TAR")
    rootfs, name, out = sys.argv[1:]
    here = os.path.dirname(os.path.abspath(__file__))
    mtime = int(os.environ.get("SOURCE_DATE_EPOCH", time.time()))
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(mtime))
    layer = sha256_file(rootfs)
    lsize = os.path.getsize(rootfs)
    config = {
        "created": created,
        "architecture": ARCH.get(platform.machine(), platform.machine()),
        "os": "linux",
        "config": {
            "Entrypoint": dockerfile_entrypoint(os.path.join(here, "Dockerfile")),
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
        },
        "rootfs": {"type": "layers", "diff_ids": [layer]},
        "history": [{"created": created, "created_by": "deploy/build-image.sh (mmdebstrap)"}],
    }
    cfg = json.dumps(config, sort_keys=True).encode()
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": "sha256:" + hashlib.sha256(cfg).hexdigest(), "size": len(cfg)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                    "digest": layer, "size": lsize}],
    }
    man = json.dumps(manifest, sort_keys=True).encode()
    mdig = "sha256:" + hashlib.sha256(man).hexdigest()
    index = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{
            "mediaType": manifest["mediaType"], "digest": mdig, "size": len(man),
            "platform": {"architecture": config["architecture"], "os": "linux"},
            "annotations": {"io.containerd.image.name": name,
                            "org.opencontainers.image.ref.name": name.rsplit(":", 1)[-1]},
        }],
    }
    tmp = out + ".tmp"
    with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as tar:
        add_bytes(tar, "oci-layout", b'{"imageLayoutVersion":"1.0.0"}', mtime)
        add_bytes(tar, "index.json", json.dumps(index, sort_keys=True).encode(), mtime)
        add_bytes(tar, "blobs/sha256/" + cfg_dig(manifest), cfg, mtime)
        add_bytes(tar, "blobs/sha256/" + mdig[7:], man, mtime)
        ti = tarfile.TarInfo("blobs/sha256/" + layer[7:])
        ti.size, ti.mtime, ti.mode = lsize, mtime, 0o644
        with open(rootfs, "rb") as f:
            tar.addfile(ti, f)
    os.replace(tmp, out)


def cfg_dig(manifest):
    return manifest["config"]["digest"][7:]


if __name__ == "__main__":
    main()

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_cgroup.c - unit tests for the cgroup file parser (src/resolve/cgroup.c).
 *
 * One named row per layout family: the file's content, the verdict, the
 * container id, the pod UID and the runtime expected.  Every row is parsed
 * from an exact-size heap copy, so reading one byte past the end shows up
 * under AddressSanitizer.  The ids and UIDs are made up for these tests.
 */
#include <stdlib.h>
#include <string.h>

#include "resolve/cgroup.h"
#include "check.h"

/* Made-up container ids (64 hex) and pod UIDs. */
#define ID0 "a5203b8d3e48a5f73b9f5909729b4fa1152b86683006b8dc0cb03643a28dc224"
#define ID1 "53a524c191b720ee93145e3b943885e3d4a457b8de10a8a32f92fe756eb427ad"
#define ID2 "50e11d84b3b5d2b652ec9e5eaf225bce9a70b449d25fff14d4e4eab8b1f7fe15"
#define NODE "64abf42fa9cb6719f2232380df0ba57f9e02df571ef0ce193157bf3bc9320fa4"
#define ID0_UPPER \
	"A5203B8D3E48A5F73B9F5909729B4FA1152B86683006B8DC0CB03643A28DC224"
#define ID_63 "a5203b8d3e48a5f73b9f5909729b4fa1152b86683006b8dc0cb03643a28dc22"
#define ID_65 ID0 "5"
#define ID_128 ID0 ID1
#define POD0 "c3c9db68-a756-4125-a6ca-8abe0cea53b9"
#define POD0_U "c3c9db68_a756_4125_a6ca_8abe0cea53b9"
#define POD0_UPPER "C3C9DB68-A756-4125-A6CA-8ABE0CEA53B9"
#define POD1 "19ba90a4-6706-461b-b08d-0a877e8b6dbe"
#define POD1_U "19ba90a4_6706_461b_b08d_0a877e8b6dbe"
#define STATIC "129e56575ce097eabce4bb2da5d6d52a"
#define STATIC_UPPER "129E56575CE097EABCE4BB2DA5D6D52A"
#define UUID_BARE "bb9049ea-e04f-4447-b758-181d89f73c69"

/* The 11 hierarchies of a typical cgroup v1 host, all on one path. */
#define V1(path)                                                       \
	"11:hugetlb:" path "\n10:devices:" path "\n9:pids:" path        \
	"\n8:perf_event:" path "\n7:net_cls,net_prio:" path             \
	"\n6:cpuset:" path "\n5:memory:" path "\n4:cpu,cpuacct:" path   \
	"\n3:freezer:" path "\n2:blkio:" path "\n1:name=systemd:" path "\n"

#define SD_BURSTABLE(uid)                                              \
	"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" \
	uid ".slice"
#define SD_BESTEFFORT(uid)                                             \
	"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" \
	uid ".slice"

#define C CGROUP_CONTAINER
#define P CGROUP_POD_ONLY
#define H CGROUP_HOST
#define A CGROUP_AMBIGUOUS
#define E CGROUP_EMPTY
#define R_UNK RUNTIME_UNKNOWN
#define R_CTD RUNTIME_CONTAINERD
#define R_CRIO RUNTIME_CRIO
#define R_DOCKER RUNTIME_DOCKER
#define R_PODMAN RUNTIME_PODMAN

/* A literal with its length, for inputs holding NUL bytes. */
#define BYTES(lit) lit, sizeof(lit) - 1

struct row {
	const char *name;
	const char *in;
	size_t len; /* 0: strlen(in) */
	enum cgroup_verdict verdict;
	const char *id;
	const char *pod;
	enum ident_runtime runtime;
};

static const struct row rows[] = {
	/* --- cgroupfs driver --- */
	{ "cgroupfs v1 burstable",
	  V1("/kubepods/burstable/pod" POD0 "/" ID0), 0, C, ID0, POD0, R_UNK },
	{ "cgroupfs v1 besteffort",
	  V1("/kubepods/besteffort/pod" POD1 "/" ID1), 0, C, ID1, POD1, R_UNK },
	{ "cgroupfs v1 guaranteed (no QoS level)",
	  V1("/kubepods/pod" POD0 "/" ID0), 0, C, ID0, POD0, R_UNK },
	{ "cgroupfs v2 besteffort",
	  "0::/kubepods/besteffort/pod" POD0 "/" ID0 "\n", 0, C, ID0, POD0,
	  R_UNK },
	{ "cgroupfs v2 crio without .scope",
	  "0::/kubepods/besteffort/pod" POD0 "/crio-" ID0 "\n", 0, C, ID0,
	  POD0, R_CRIO },
	{ "cgroupfs underscored pod uid",
	  "0::/kubepods/pod" POD0_U "/" ID0 "\n", 0, C, ID0, POD0, R_UNK },
	{ "cgroupfs pod-level process (pause-like)",
	  "0::/kubepods/burstable/pod" POD0 "\n", 0, P, "", POD0, R_UNK },
	{ "cgroupfs trailing slash",
	  "0::/kubepods/pod" POD0 "/" ID0 "/\n", 0, C, ID0, POD0, R_UNK },
	{ "cgroupfs container segment is a uuid",
	  "1:name=systemd:/kubepods/besteffort/pod" POD0 "/" UUID_BARE "\n", 0,
	  P, "", POD0, R_UNK },

	/* --- systemd driver --- */
	{ "systemd v1 containerd burstable",
	  V1(SD_BURSTABLE(POD0_U) "/cri-containerd-" ID0 ".scope"), 0, C, ID0,
	  POD0, R_CTD },
	{ "systemd v2 containerd besteffort",
	  "0::" SD_BESTEFFORT(POD1_U) "/cri-containerd-" ID1 ".scope\n", 0, C,
	  ID1, POD1, R_CTD },
	{ "systemd v2 guaranteed",
	  "0::/kubepods.slice/kubepods-pod" POD0_U ".slice/cri-containerd-" ID0
	  ".scope\n", 0, C, ID0, POD0, R_CTD },
	{ "systemd dashed uid inside slice name",
	  "0::" SD_BURSTABLE(POD0) "/docker-" ID0 ".scope\n", 0, C, ID0, POD0,
	  R_DOCKER },
	{ "systemd no runtime prefix",
	  "4:cpuset:" SD_BESTEFFORT(POD0_U) "/" ID0 "\n", 0, C, ID0, POD0,
	  R_UNK },
	{ "systemd pod slice with a garbage uid",
	  "4:cpuset:/kubepods.slice/kubepods-besteffort-pod1234***5678-ab-cd"
	  ".slice/cri-containerd-" ID0 ".scope\n", 0, C, ID0, "", R_CTD },

	/* --- systemd "colon form" cgroupsPath written literally --- */
	{ "colon form cri-containerd",
	  "0::/kubepods-besteffort-pod" POD0_U ".slice:cri-containerd:" ID0
	  "\n", 0, C, ID0, POD0, R_CTD },
	{ "colon form crio",
	  "0::/kubepods-burstable-pod" POD1_U ".slice:crio:" ID1 "\n", 0, C,
	  ID1, POD1, R_CRIO },
	{ "colon form docker",
	  "0::/kubepods-pod" POD0_U ".slice:docker:" ID0 "\n", 0, C, ID0, POD0,
	  R_DOCKER },
	{ "colon form static pod",
	  "0::/kubepods-burstable-pod" STATIC ".slice:cri-containerd:" ID0
	  "\n", 0, C, ID0, STATIC, R_CTD },
	{ "colon form unknown prefix",
	  "0::/kubepods-pod" POD0_U ".slice:other:" ID0 "\n", 0, C, ID0, POD0,
	  R_UNK },
	{ "colon form 63 hex rejected",
	  "0::/kubepods-pod" POD0_U ".slice:cri-containerd:" ID_63 "\n", 0, P,
	  "", POD0, R_UNK },

	/* --- CRI-O --- */
	{ "crio systemd v1",
	  V1(SD_BURSTABLE(POD0_U) "/crio-" ID0 ".scope"), 0, C, ID0, POD0,
	  R_CRIO },
	{ "crio hybrid with rdma and crio.service lines",
	  "12:hugetlb:" SD_BESTEFFORT(POD0_U) "/crio-" ID0 ".scope\n"
	  "3:rdma:/\n"
	  "1:systemd:" SD_BESTEFFORT(POD0_U) "/crio-" ID0 ".scope\n"
	  "0::/system.slice/crio.service\n", 0, C, ID0, POD0, R_CRIO },
	{ "crio conmon in the pod slice: pod only",
	  "0::" SD_BESTEFFORT(POD0_U) "/crio-conmon-" ID0 ".scope\n", 0, P, "",
	  POD0, R_CRIO },
	{ "crio conmon cgroupfs: pod only",
	  "0::/kubepods/besteffort/pod" POD0 "/crio-conmon-" ID0 "\n", 0, P,
	  "", POD0, R_CRIO },
	{ "crio conmon in system.slice: host",
	  "0::/system.slice/crio-conmon-" ID0 ".scope\n", 0, H, "", "", R_UNK },
	{ "a bare conmon line and a container line disagree",
	  "2:cpu:/kubepods/pod" POD0 "/conmon\n"
	  "1:name=systemd:/kubepods/pod" POD0 "/crio-" ID0 "\n", 0, A, "", "",
	  R_UNK },
	{ "conmon and container lines disagree",
	  "2:cpu:/kubepods/pod" POD0 "/crio-conmon-" ID0 "\n"
	  "1:name=systemd:/kubepods/pod" POD0 "/crio-" ID0 "\n", 0, A, "", "",
	  R_UNK },

	/* --- docker, cri-dockerd --- */
	{ "docker cgroupfs, no pod",
	  "0::/docker/" ID0 "\n", 0, C, ID0, "", R_DOCKER },
	{ "docker systemd, no pod",
	  "4:devices:/system.slice/docker-" ID0 ".scope\n", 0, C, ID0, "",
	  R_DOCKER },
	{ "docker systemd docker.slice",
	  "0::/docker.slice/docker-" ID0 ".scope\n", 0, C, ID0, "", R_DOCKER },
	{ "docker sub-cgroup of the container",
	  "1:name=systemd:/docker/" ID0 "/not_hex\n", 0, C, ID0, "", R_DOCKER },
	{ "cri-dockerd systemd",
	  V1(SD_BESTEFFORT(POD0_U) "/docker-" ID0 ".scope"), 0, C, ID0, POD0,
	  R_DOCKER },
	{ "docker missing prefix under system.slice",
	  "4:devices:/system.slice/" ID0 ".scope\n", 0, C, ID0, "", R_UNK },
	{ "nested docker without pod: innermost",
	  "6:devices:/docker/" ID0 "/docker/" ID1
	  "/system.slice/containerd.service\n", 0, C, ID1, "", R_DOCKER },
	{ "ecs task uuid is not a pod",
	  "3:cpuacct:/ecs/" UUID_BARE "/" ID0 "\n", 0, C, ID0, "", R_UNK },

	/* --- podman, nerdctl --- */
	{ "podman rootful container child",
	  "0::/machine.slice/libpod-" ID0 ".scope/container\n", 0, C, ID0, "",
	  R_PODMAN },
	{ "podman rootless container child",
	  "0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-"
	  ID0 ".scope/container\n", 0, C, ID0, "", R_PODMAN },
	{ "podman without .scope",
	  "0::/system.slice/libpod-" ID0 "\n", 0, C, ID0, "", R_PODMAN },
	{ "podman cgroupfs bare id under libpod",
	  "0::/user.slice/user-2000.slice/user@2000.service/user.slice/libpod/"
	  ID0 "\n", 0, C, ID0, "", R_PODMAN },
	{ "podman split payload",
	  "0::/system.slice/system-ceph-" UUID_BARE ".slice/ceph-" UUID_BARE
	  "@mon.a.service/libpod-payload-" ID0 ".scope\n", 0, C, ID0, "",
	  R_PODMAN },
	{ "podman conmon: host",
	  "0::/machine.slice/libpod-conmon-" ID0 ".scope\n", 0, H, "", "",
	  R_UNK },
	{ "podman conmon cgroupfs segment: host",
	  "0::/libpod_parent/conmon\n", 0, H, "", "", R_UNK },
	{ "conmon inside a docker container: no guess",
	  "0::/docker/" ID1 "/machine.slice/libpod-conmon-" ID0 ".scope\n", 0,
	  H, "", "", R_UNK },
	{ "nerdctl",
	  "0::/system.slice/nerdctl-" ID0 ".scope\n", 0, C, ID0, "", R_CTD },

	/* --- nodes that are containers: kind, minikube --- */
	{ "kind cgroupfs hybrid: node line ignored",
	  V1("/docker/" NODE "/kubepods/besteffort/pod" POD0 "/" ID0)
	  "0::/docker/" NODE "/system.slice/containerd.service\n", 0, C, ID0,
	  POD0, R_UNK },
	{ "kind systemd form v2",
	  "0::/system.slice/docker-" NODE ".scope/kubelet.slice/"
	  "kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
	  "kubelet-kubepods-besteffort-pod" POD0_U ".slice/cri-containerd-" ID0
	  ".scope\n", 0, C, ID0, POD0, R_CTD },
	{ "kind pod-level process: not the node id",
	  "0::/docker/" NODE "/kubepods/besteffort/pod" POD0 "\n", 0, P, "",
	  POD0, R_UNK },
	{ "kind pod-level process, systemd form",
	  "0::/system.slice/docker-" NODE ".scope/kubepods.slice/"
	  "kubepods-pod" POD0_U ".slice\n", 0, P, "", POD0, R_UNK },
	{ "kind node's own kubelet: the node container",
	  "0::/system.slice/docker-" NODE ".scope/system.slice/kubelet.service"
	  "\n", 0, C, NODE, "", R_DOCKER },
	{ "minikube crio in docker",
	  V1("/docker/" NODE SD_BURSTABLE(POD1_U) "/crio-" ID1 ".scope"), 0, C,
	  ID1, POD1, R_CRIO },

	/* --- inside a cgroup namespace --- */
	{ "cgroupns relative v2 with pod",
	  "0::/../../../burstable/pod" POD0 "/" ID0 "\n", 0, C, ID0, POD0,
	  R_UNK },
	{ "cgroupns relative kubelet slice",
	  "0::/../../kubelet-kubepods-besteffort.slice/"
	  "kubelet-kubepods-besteffort-pod" POD0_U ".slice/cri-containerd-" ID0
	  ".scope\n", 0, C, ID0, POD0, R_CTD },
	{ "cgroupns relative crio, no pod, no newline",
	  "0::/../crio-" ID0 ".scope", 0, C, ID0, "", R_CRIO },
	{ "cgroupns root only: host",
	  "0::/\n", 0, H, "", "", R_UNK },

	/* --- static pods (32 hex kubelet hash) --- */
	{ "static pod cgroupfs",
	  "0::/kubepods/burstable/pod" STATIC "/" ID0 "\n", 0, C, ID0, STATIC,
	  R_UNK },
	{ "static pod systemd",
	  "0::" SD_BURSTABLE(STATIC) "/cri-containerd-" ID0 ".scope\n", 0, C,
	  ID0, STATIC, R_CTD },
	{ "static pod, pod level, uppercase",
	  "0::/kubepods/pod" STATIC_UPPER "\n", 0, P, "", STATIC, R_UNK },

	/* --- custom roots, Docker Desktop --- */
	{ "custom cgroup root /kubelet",
	  "0::/kubelet/kubepods/burstable/pod" POD0 "/" ID0 "\n", 0, C, ID0,
	  POD0, R_UNK },
	{ "custom root, no kubepods at all",
	  "0::/something/pod" POD0 "/" ID0 "\n", 0, C, ID0, POD0, R_UNK },
	{ "kubelet.slice root",
	  "0::/kubelet.slice/kubelet-kubepods.slice/"
	  "kubelet-kubepods-burstable.slice/kubelet-kubepods-burstable-pod"
	  POD1_U ".slice/cri-containerd-" ID1 ".scope\n", 0, C, ID1, POD1,
	  R_CTD },
	{ "docker desktop double kubepods",
	  "12:pids:/kubepods/kubepods/besteffort/pod" POD0 "/" ID0 "\n", 0, C,
	  ID0, POD0, R_UNK },

	/* --- inside a pod's container --- */
	{ "docker-in-docker in a pod: the pod's container",
	  "0::/kubepods/pod" POD0 "/" ID0 "/docker/" ID1 "\n", 0, C, ID0, POD0,
	  R_UNK },
	{ "forged pod segment inside a container: ambiguous",
	  "0::/kubepods/pod" POD0 "/" ID0 "/pod" POD1 "/" ID1 "\n", 0, A, "",
	  "", R_UNK },
	{ "same pod token repeated inside the container",
	  "0::/kubepods/pod" POD0 "/" ID0 "/pod" POD0 "/" ID1 "\n", 0, C, ID0,
	  POD0, R_UNK },

	/* --- several lines --- */
	{ "hybrid with noisy lines",
	  "\n13:misc:/\n12:rdma:/\ngarbage line\n"
	  V1("/kubepods/besteffort/pod" POD0 "/" ID0)
	  "0::/system.slice/containerd.service\n\n", 0, C, ID0, POD0, R_UNK },
	{ "pod-level line and container line agree",
	  "3:cpuset:/kubepods/pod" POD0 "\n"
	  "1:name=systemd:/kubepods/pod" POD0 "/" ID0 "\n", 0, C, ID0, POD0,
	  R_UNK },
	{ "two container ids: ambiguous",
	  "3:memory:/user.slice\n"
	  "2:cpu,cpuacct:/kubepods/pod" POD0 "/" ID0 "\n"
	  "1:name=systemd:/kubepods/kubepods/besteffort/pod" POD0 "/" ID1 "\n",
	  0, A, "", "", R_UNK },
	{ "two pod uids: ambiguous",
	  "2:cpu,cpuacct:/kubepods/pod" POD0 "/" ID0 "\n"
	  "1:name=systemd:/kubepods/pod" POD1 "/" ID0 "\n", 0, A, "", "",
	  R_UNK },
	{ "two plain docker ids: ambiguous",
	  "10:devices:/docker/" ID0 "\n"
	  "4:devices:/system.slice/docker-" ID1 ".scope\n", 0, A, "", "",
	  R_UNK },
	{ "runtime from the line that knows it",
	  "2:memory:/system.slice/" ID0 ".scope\n"
	  "1:name=systemd:/docker/" ID0 "\n", 0, C, ID0, "", R_DOCKER },
	{ "truncated last line",
	  "2:memory:/kubepods/pod" POD0 "/" ID0 "\n1:name=systemd:/kubepods/pod"
	  POD0 "/a5203b8d3e", 0, C, ID0, POD0, R_UNK },

	/* --- host processes --- */
	{ "host init.scope", "0::/init.scope\n", 0, H, "", "", R_UNK },
	{ "host system service", "0::/system.slice/sshd.service\n", 0, H, "",
	  "", R_UNK },
	{ "host kubelet service", "0::/system.slice/kubelet.service\n", 0, H,
	  "", "", R_UNK },
	{ "host v1 user session",
	  "11:hugetlb:/\n10:devices:/user.slice\n9:pids:/user.slice/"
	  "user-1000.slice\n1:name=systemd:/user.slice/user-1000.slice/"
	  "session-2.scope\n", 0, H, "", "", R_UNK },
	{ "host memory process_api 32 hex",
	  "4:memory:/process_api/" STATIC "\n", 0, H, "", "", R_UNK },
	{ "ctr namespace/name is not an id",
	  "0::/default/test_container\n", 0, H, "", "", R_UNK },

	/* --- look-alikes that are not pod UIDs --- */
	{ "gnome scope uuid is not a pod",
	  "1:name=systemd:/user.slice/user-1000.slice/user@1000.service/"
	  "apps.slice/vte-spawn-" UUID_BARE ".scope\n", 0, H, "", "", R_UNK },
	{ "ceph fsid is not a pod",
	  "0::/system.slice/system-ceph-" UUID_BARE ".slice/ceph-" UUID_BARE
	  "@mon.a.service\n", 0, H, "", "", R_UNK },
	{ "pod123 is not a pod uid",
	  "0::/kubepods/besteffort/pod123/docker-" ID0 ".scope/system.slice\n",
	  0, C, ID0, "", R_DOCKER },
	{ "pod uid followed by junk",
	  "0::/kubepods/pod" POD0 "x/" ID0 "\n", 0, C, ID0, "", R_UNK },
	{ "uuid after a word ending in pod",
	  "0::/ipod" POD0 "/" ID0 "\n", 0, C, ID0, "", R_UNK },
	{ "garden uuid-ish id",
	  "1:name=systemd:/system.slice/garden.service/garden/"
	  "70eb4ce5-a065-4401-6990-88ed\n", 0, H, "", "", R_UNK },

	/* --- id length and alphabet --- */
	{ "63 hex rejected", "0::/docker/" ID_63 "\n", 0, H, "", "", R_UNK },
	{ "65 hex rejected", "0::/docker/" ID_65 "\n", 0, H, "", "", R_UNK },
	{ "128 hex rejected",
	  "0::/user.slice/libpod-" ID_128 "\n", 0, H, "", "", R_UNK },
	{ "64 hex plus g rejected",
	  "0::/user.slice/libpod-" ID0 "g\n", 0, H, "", "", R_UNK },
	{ "64 hex in a pod, 65 hex rejected",
	  "0::/kubepods/pod" POD0 "/" ID_65 "\n", 0, P, "", POD0, R_UNK },
	{ "uppercase hex lowercased",
	  "0::/kubepods/pod" POD0_UPPER "/docker-" ID0_UPPER ".scope\n", 0, C,
	  ID0, POD0, R_DOCKER },

	/* --- framing --- */
	{ "crlf line ends",
	  "2:memory:/kubepods/pod" POD0 "/" ID0 "\r\n"
	  "1:name=systemd:/kubepods/pod" POD0 "/" ID0 "\r\n", 0, C, ID0, POD0,
	  R_UNK },
	{ "spaces around fields",
	  "  1 : name=systemd : /kubepods/pod" POD0 "/" ID0 "  \n", 0, C, ID0,
	  POD0, R_UNK },
	{ "no trailing newline",
	  "0::/kubepods/pod" POD0 "/" ID0, 0, C, ID0, POD0, R_UNK },
	{ "v2 deleted cgroup",
	  "0::/kubepods/pod" POD0 "/" ID0 " (deleted)\n", 0, C, ID0, POD0,
	  R_UNK },
	{ "empty file", "", 0, E, "", "", R_UNK },
	{ "whitespace only", " \r\n\t\n", 0, E, "", "", R_UNK },
	{ "junk only: nothing can be told", "hello world\n", 0, A, "", "",
	  R_UNK },
	{ "only two fields", "11:hugetlb\n", 0, A, "", "", R_UNK },
	{ "no hierarchy id", "memory:/process_api/" STATIC "\n", 0, A, "", "",
	  R_UNK },
	{ "path not absolute", "0::docker/" ID0 "\n", 0, A, "", "", R_UNK },
	{ "binary garbage with NUL",
	  BYTES("\0\xff\x01:\x80:/\0\n0::/docker/\0" ID0 "\n"), H, "", "",
	  R_UNK },
	{ "NUL inside a line, good line after",
	  BYTES("3:cpu:/\0junk\n0::/docker/" ID0 "\n"), C, ID0, "", R_DOCKER },
	{ "colons only", "::::\n:\n", 0, A, "", "", R_UNK },
};

/* Parse from an exact-size heap copy so any over-read is caught. */
static enum cgroup_verdict parse_exact(const char *in, size_t len,
				       struct cgroup_result *res)
{
	char *copy = malloc(len ? len : 1);
	enum cgroup_verdict v;

	if (!copy)
		abort();
	memcpy(copy, in, len);
	v = cgroup_parse(copy, len, res);
	free(copy);
	return v;
}

static void run_row(const struct row *r)
{
	size_t len = r->len ? r->len : strlen(r->in);
	struct cgroup_result res;
	enum cgroup_verdict v;

	memset(&res, 0xa5, sizeof(res));
	v = parse_exact(r->in, len, &res);
	CASE(r->name) {
		/* the values, not their names: a broken name helper must not
		 * make every verdict equal */
		CHECK_INT(v, r->verdict);
		CHECK_STR(cgroup_verdict_name(v), cgroup_verdict_name(r->verdict));
		CHECK_STR(res.container_id, r->id);
		CHECK_STR(res.pod_uid, r->pod);
		CHECK_INT(res.runtime, r->runtime);
	}
}

/* Each verdict has its own name (the logs and the CLI print them). */
static void test_verdict_names(void)
{
	static const struct {
		enum cgroup_verdict v;
		const char *name;
	} names[] = {
		{ CGROUP_HOST, "host" },	   { CGROUP_CONTAINER, "container" },
		{ CGROUP_POD_ONLY, "pod-only" },   { CGROUP_AMBIGUOUS, "ambiguous" },
		{ CGROUP_EMPTY, "empty" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		CASE(names[i].name) {
			CHECK_STR(cgroup_verdict_name(names[i].v), names[i].name);
		}
	}
}

/* Only the first len bytes count, even when more follow in memory. */
static void test_len_is_respected(void)
{
	static const char two[] = "0::/docker/" ID0 "\n0::/docker/" ID1 "\n";
	struct cgroup_result res;
	enum cgroup_verdict v;

	v = cgroup_parse(two, strlen("0::/docker/" ID0 "\n"), &res);
	CASE("len is respected: second line not read") {
		CHECK_INT(v, CGROUP_CONTAINER);
		CHECK_STR(res.container_id, ID0);
	}
	v = cgroup_parse(two, strlen("0::/docker/" ID0) - 1, &res);
	CASE("len cuts the id: 63 hex left") {
		CHECK_INT(v, CGROUP_HOST);
		CHECK_STR(res.container_id, "");
	}
	v = cgroup_parse(NULL, 0, &res);
	CASE("NULL buffer of length 0 is empty") {
		CHECK_INT(v, CGROUP_EMPTY);
		CHECK_STR(res.container_id, "");
		CHECK_STR(res.pod_uid, "");
		CHECK_INT(res.runtime, RUNTIME_UNKNOWN);
	}
}

int main(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		run_row(&rows[i]);
	test_len_is_respected();
	test_verdict_names();
	return check_done();
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wirerate: the WireGuard gateway. Reads the configuration, starts EAL (with working defaults
 * when given no EAL options: DPDK telemetry on, with a file prefix of its own), brings the
 * ports up, starts WireGuard on the control lcore (control.h), launches the workers and polls
 * until SIGINT/SIGTERM.
 *
 *	wirerate [EAL options] -- -c FILE [--no-telemetry]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <glob.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>

#include "control.h"
#include "dataplane.h"
#include "wr_config.h"

#define EXIT_USAGE 2
#define MAX_EAL_ARGS 64
/* The default options' EAL --file-prefix: the telemetry socket is then
 * /var/run/dpdk/wirerate/dpdk_telemetry.v2, for `dpdk-telemetry.py -f wirerate` */
#define DEFAULT_FILE_PREFIX "wirerate"

static volatile sig_atomic_t quit_signal;
static volatile sig_atomic_t stats_requested;

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		stats_requested = 1;
	else
		quit_signal = sig;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: wirerate [EAL options] -- -c FILE [--no-telemetry]\n"
		"\n"
		"  -c, --config FILE   the gateway's configuration (wg-quick format with "
		"[Gateway],\n"
		"                      [Port NAME], [Interface NAME] and [Peer] sections)\n"
		"      --no-telemetry  default EAL options without DPDK telemetry\n"
		"  -h, --help          show this help\n"
		"  -V, --version       show the version\n"
		"\n"
		"Without EAL options wirerate runs --in-memory on hugepages when enough are free,\n"
		"otherwise --no-huge --no-shconf with enough memory for its pool, on the lcores "
		"of\n"
		"[Gateway] Control and Workers. The devices come from the [Port] Device lines.\n"
		"Workers poll the RX queues when every port has a TX queue per worker and one\n"
		"for control (af_packet: qpairs); otherwise the control lcore polls them all.\n"
		"Each [Interface] gets a UAPI socket in /var/run/wireguard for the stock wg tool\n"
		"(wg show NAME, wg set NAME ...).\n"
		"The JSON REST API and Prometheus metrics (GET /metrics) listen on [Gateway]\n"
		"ControlSocket (default /run/wirerate/ctrl.sock, mode 0600), and on\n"
		"ControlAddress with a bearer token when set (docs/rest-api.md).\n"
		"The default EAL options run DPDK telemetry with --file-prefix wirerate\n"
		"(dpdk-telemetry.py -f wirerate), or wirerate-PID when another gateway has that\n"
		"prefix: the log says which. dpdk-dumpcap needs your own EAL options with a\n"
		"--file-prefix and hugepages: see docs/observability.md.\n"
		"SIGUSR1 prints the counters; SIGINT or SIGTERM stop it cleanly.\n");
}

/*
 * Bytes of free hugepages of every size. DPDK takes hugepages when it finds any free, so the
 * gateway uses them only when they hold all it needs: a few left over by another program would
 * otherwise make a table allocation fail later, at run time.
 */
static size_t
hugepages_free_bytes(void)
{
	glob_t g;
	size_t i, total = 0;

	if (glob("/sys/kernel/mm/hugepages/hugepages-*kB/free_hugepages", 0, NULL, &g) != 0)
		return 0;
	for (i = 0; i < g.gl_pathc; i++) {
		unsigned long n = 0, kb = 0;
		const char *dir = strstr(g.gl_pathv[i], "hugepages-");
		FILE *f;

		if (dir == NULL || sscanf(dir, "hugepages-%lukB", &kb) != 1)
			continue;
		f = fopen(g.gl_pathv[i], "r");
		if (f == NULL)
			continue;
		if (fscanf(f, "%lu", &n) == 1)
			total += (size_t)n * kb * 1024;
		fclose(f);
	}
	globfree(&g);
	return total;
}

/* A PCI address ("0000:03:00.0" or "03:00.0") rather than a vdev ("net_af_packet0,...") */
static bool
is_pci(const char *dev)
{
	size_t len = strcspn(dev, ",");

	return memchr(dev, ':', len) != NULL && memchr(dev, '.', len) != NULL;
}

struct eal_args {
	int argc;
	char *argv[MAX_EAL_ARGS];
	char lcores[256];
	char main_lcore[16];
	char mem[32];
	char prefix[32];
};

/* The runtime directory EAL makes for @p prefix (as eal_create_runtime_dir() does) */
static void
runtime_dir(char *buf, size_t len, const char *prefix)
{
	const char *base = "/var/run";

	if (getuid() != 0) {
		base = getenv("XDG_RUNTIME_DIR");
		if (base == NULL)
			base = "/tmp";
	}
	snprintf(buf, len, "%s/dpdk/%s", base, prefix);
}

/* The per-process prefix's runtime directory, removed at exit (after EAL's own atexit) */
static char own_dir[PATH_MAX];

static void
remove_own_dir(void)
{
	rmdir(own_dir); /* fails, harmlessly, while something is left in it */
}

/*
 * Take @p prefix for this process: a lock on a file in its runtime directory, held until the
 * process exits (the descriptor stays open), and nobody answering on its telemetry socket (a
 * DPDK program other than wirerate). DPDK 22.11 starts a second process on a prefix whose
 * telemetry socket is served all the same, only without telemetry, and says nothing.
 */
static bool
claim_prefix(const char *prefix)
{
	char dir[PATH_MAX], parent[PATH_MAX], path[PATH_MAX + 32];
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	bool served;
	int fd, s;

	runtime_dir(dir, sizeof(dir), prefix);
	snprintf(parent, sizeof(parent), "%s", dir);
	*strrchr(parent, '/') = '\0';
	mkdir(parent, 0700);
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/wirerate.lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return false;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		return false;
	}
	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/dpdk_telemetry.v2", dir) >=
		sizeof(sun.sun_path)) {
		close(fd);
		return false;
	}
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	served = s >= 0 && connect(s, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	if (s >= 0)
		close(s);
	if (served) {
		close(fd);
		return false;
	}
	return true; /* fd stays open: the lock is ours until we exit */
}

/* The default options' --file-prefix into @p a->prefix: "wirerate", or "wirerate-PID" */
static void
choose_prefix(struct eal_args *a)
{
	snprintf(a->prefix, sizeof(a->prefix), "%s", DEFAULT_FILE_PREFIX);
	if (claim_prefix(a->prefix))
		return;
	snprintf(a->prefix, sizeof(a->prefix), "%s-%ld", DEFAULT_FILE_PREFIX, (long)getpid());
	printf("wirerate: EAL file prefix %s is taken (another gateway runs): using %s\n",
		DEFAULT_FILE_PREFIX, a->prefix);
	runtime_dir(own_dir, sizeof(own_dir), a->prefix);
	atexit(remove_own_dir);
}

static int
eal_push(struct eal_args *a, const char *s)
{
	if (a->argc == MAX_EAL_ARGS - 1)
		return -E2BIG;
	a->argv[a->argc++] = (char *)s;
	a->argv[a->argc] = NULL;
	return 0;
}

/* Whether the user's EAL options name @p dev's device already */
static bool
user_has_device(char **user, int n, const char *dev)
{
	size_t len = strcspn(dev, ",");
	int i;

	for (i = 0; i < n; i++)
		if (strncmp(user[i], dev, len) == 0 &&
			(user[i][len] == ',' || user[i][len] == '\0'))
			return true;
	return false;
}

static int
build_eal_args(struct eal_args *a, const char *prog, char **user, int n_user,
	const struct wr_config *cfg, bool telemetry)
{
	bool any_pci = false;
	size_t i, off;
	int ret = 0;

	a->argc = 0;
	ret |= eal_push(a, prog);
	for (i = 0; i < (size_t)n_user; i++)
		ret |= eal_push(a, user[i]);
	if (n_user == 0) {
		off = (size_t)snprintf(a->lcores, sizeof(a->lcores), "%u", cfg->control_lcore);
		for (i = 0; i < cfg->n_workers && off < sizeof(a->lcores); i++)
			off += (size_t)snprintf(
				a->lcores + off, sizeof(a->lcores) - off, ",%u", cfg->workers[i]);
		if (off >= sizeof(a->lcores))
			return -E2BIG;
		snprintf(a->main_lcore, sizeof(a->main_lcore), "%u", cfg->control_lcore);
		if (telemetry) {
			choose_prefix(a);
			printf("wirerate: EAL file prefix %s (dpdk-telemetry.py -f %s)\n",
				a->prefix, a->prefix);
			ret |= eal_push(a, "--file-prefix");
			ret |= eal_push(a, a->prefix);
		} else {
			ret |= eal_push(a, "--no-telemetry");
		}
		ret |= eal_push(a, "-l");
		ret |= eal_push(a, a->lcores);
		ret |= eal_push(a, "--main-lcore");
		ret |= eal_push(a, a->main_lcore);
		if (hugepages_free_bytes() >= wr_dp_memory_hint(cfg)) {
			ret |= eal_push(a, "--in-memory");
		} else {
			/* EAL refuses --in-memory with --no-huge (it implies legacy memory);
			 * --no-shconf gives the same isolation from other DPDK processes */
			snprintf(a->mem, sizeof(a->mem), "%zu", (wr_dp_memory_hint(cfg) >> 20) + 1);
			ret |= eal_push(a, "--no-huge");
			ret |= eal_push(a, "--no-shconf");
			ret |= eal_push(a, "-m");
			ret |= eal_push(a, a->mem);
		}
	}
	for (i = 0; i < cfg->n_ports; i++) {
		const char *dev = cfg->ports[i].device;

		if (is_pci(dev)) {
			any_pci = true;
			/* with the user's options, PCI devices are theirs to allow or block */
			if (n_user == 0) {
				ret |= eal_push(a, "-a");
				ret |= eal_push(a, dev);
			}
		} else if (!user_has_device(user, n_user, dev)) {
			ret |= eal_push(a, "--vdev");
			ret |= eal_push(a, dev);
		}
	}
	if (n_user == 0 && !any_pci)
		ret |= eal_push(a, "--no-pci");
	return ret < 0 ? -E2BIG : 0;
}

static void
print_plan(const struct wr_dataplane *dp)
{
	char mac[RTE_ETHER_ADDR_FMT_SIZE];
	unsigned int l, i;
	uint16_t p;

	for (p = 0; p < dp->nb_ports; p++) {
		const struct wr_port *port = &dp->ports[p];

		rte_ether_format_addr(mac, sizeof(mac), &port->mac);
		printf("wirerate: port %s: ethdev %u mac %s mtu %u rxq %u txq %u rss %s addresses "
		       "%u\n",
			port->name, port->port_id, mac, port->mtu, port->nb_rxq, port->nb_txq,
			port->rss ? "on" : "off", port->n_addrs);
	}
	for (l = 0; l < RTE_MAX_LCORE; l++) {
		const struct wr_dp_lcore *lc = &dp->lcores[l];

		if (lc->dp == NULL || (!lc->control && lc->n_rxq == 0))
			continue;
		printf("wirerate: lcore %u: %s txq %u rx", l, lc->control ? "control" : "worker",
			lc->txq);
		for (i = 0; i < lc->n_rxq; i++)
			printf(" %s/%u", dp->ports[lc->rxq[i].port].name, lc->rxq[i].queue);
		printf("\n");
	}
}

/*
 * The workers that can run: the configuration's, less those EAL was not given (the user's own
 * EAL options may name other lcores) and the main lcore, which is the control lcore.
 */
static size_t
usable_workers(const struct wr_config *cfg, unsigned int *out)
{
	size_t i, n = 0;

	for (i = 0; i < cfg->n_workers; i++) {
		unsigned int w = cfg->workers[i];

		if (w < RTE_MAX_LCORE && rte_lcore_is_enabled(w) && w != rte_get_main_lcore())
			out[n++] = w;
		else
			fprintf(stderr, "wirerate: warning: worker lcore %u is not an EAL lcore\n",
				w);
	}
	return n;
}

static int
launch_workers(struct wr_dataplane *dp)
{
	unsigned int l;
	int ret;

	for (l = 0; l < RTE_MAX_LCORE; l++) {
		struct wr_dp_lcore *lc = &dp->lcores[l];

		if (lc->dp == NULL || lc->control || lc->n_rxq == 0)
			continue;
		ret = rte_eal_remote_launch(wr_dp_worker_main, lc, l);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static void
run(struct wr_dataplane *dp, struct wr_control *ctl)
{
	struct wr_dp_lcore *lc = &dp->lcores[dp->control_lcore];
	unsigned int idle = 0;

	while (!quit_signal) {
		if (wr_dp_poll(lc) + wr_control_poll(ctl) != 0)
			idle = 0;
		else if (++idle >= WR_DP_IDLE_POLLS)
			rte_delay_us_sleep(WR_DP_IDLE_SLEEP_US);
		if (stats_requested) {
			stats_requested = 0;
			wr_control_stats_print(ctl, stdout);
			wr_dp_stats_print(dp, stdout);
		}
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "no-telemetry", no_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct wr_config_error cerr = { 0 };
	struct wr_config *cfg = NULL;
	struct wr_dataplane *dp = NULL;
	struct wr_control *ctl = NULL;
	struct eal_args eal;
	struct sigaction sa;
	char err[256];
	const char *config_path = NULL;
	bool telemetry = true;
	char **user = argv + 1, **app = argv + 1;
	int n_user = 0, n_app = argc - 1, i, opt, ret, status = EXIT_FAILURE;
	unsigned int workers[RTE_MAX_LCORE];
	size_t w, n_workers;

	/* DPDK's convention: EAL options, "--", the application's */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			n_user = i - 1;
			app = argv + i + 1;
			n_app = argc - i - 1;
			break;
		}
	}
	app[-1] = argv[0];
	optind = 1;
	while ((opt = getopt_long(n_app + 1, app - 1, "c:hV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config_path = optarg;
			break;
		case 'T':
			telemetry = false;
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		case 'V':
			printf("wirerate %s\n", WR_VERSION);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (config_path == NULL || optind != n_app + 1) {
		fprintf(stderr, "wirerate: %s\n",
			config_path == NULL ? "no configuration: -c FILE" : "unexpected argument");
		usage(stderr);
		return EXIT_USAGE;
	}

	ret = wr_config_load_file(config_path, &cfg, &cerr);
	if (ret < 0) {
		fprintf(stderr, "wirerate: %s\n", cerr.message);
		return EXIT_FAILURE;
	}
	for (w = 0; w < cfg->n_warnings; w++)
		fprintf(stderr, "wirerate: warning: %s\n", cfg->warnings[w].message);

	if (build_eal_args(&eal, argv[0], user, n_user, cfg, telemetry) < 0) {
		fprintf(stderr, "wirerate: too many EAL arguments\n");
		goto out_config;
	}
	ret = rte_eal_init(eal.argc, eal.argv);
	if (ret < 0) {
		fprintf(stderr, "wirerate: cannot start EAL: %s\n", rte_strerror(rte_errno));
		goto out_config;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);

	n_workers = usable_workers(cfg, workers);
	ret = wr_dp_create(cfg, (uint16_t)RTE_MAX(n_workers, 1u), &dp, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "wirerate: %s\n", err);
		goto out_eal;
	}
	ret = wr_dp_plan(dp, rte_get_main_lcore(), workers, n_workers);
	if (ret < 0) {
		fprintf(stderr, "wirerate: cannot place the queues on lcores: %s\n",
			strerror(-ret));
		goto out_dp;
	}
	ret = wr_control_create(dp, cfg, &ctl, err, sizeof(err));
	/*
	 * The engines, tables and APIs have their own copies of what they need now: the private
	 * and preshared keys and the token go (wiped) rather than stay until exit
	 */
	wr_config_free(cfg);
	cfg = NULL;
	if (ret < 0) {
		fprintf(stderr, "wirerate: %s\n", err);
		goto out_dp;
	}
	print_plan(dp);
	ret = launch_workers(dp);
	if (ret < 0) {
		fprintf(stderr, "wirerate: cannot launch the workers: %s\n", strerror(-ret));
		goto out_workers;
	}
	printf("wirerate: running (SIGUSR1: counters, SIGTERM: stop)\n");
	fflush(stdout);

	run(dp, ctl);

	printf("wirerate: stopping on signal %d\n", (int)quit_signal);
	status = EXIT_SUCCESS;
out_workers:
	wr_dp_stop(dp);
	rte_eal_mp_wait_lcore();
	if (status == EXIT_SUCCESS) {
		wr_control_stats_print(ctl, stdout);
		wr_dp_stats_print(dp, stdout);
	}
	wr_control_destroy(ctl);
out_dp:
	wr_dp_destroy(dp);
out_eal:
	rte_eal_cleanup();
out_config:
	wr_config_free(cfg);
	return status;
}

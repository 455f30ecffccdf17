/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libFuzzer harness for the configuration parser: any bytes must either load or fail with a
 * message naming the input, never crash, leak or read out of bounds. A loaded configuration is
 * walked in full so that ASan sees every array the parser claims to have filled.
 *
 * The dictionary-free fuzzer finds the section and key names quickly from the comparisons; a
 * PrivateKeyFile it invents is opened non-blocking and only if it is a regular file.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "wr_config.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned int
walk(const struct wr_config *cfg)
{
	unsigned int sum = cfg->control_lcore;
	size_t i, j, k;

	for (i = 0; i < cfg->n_workers; i++)
		sum += cfg->workers[i] + wr_config_is_worker(cfg, cfg->workers[i]);
	sum += (unsigned int)strlen(cfg->control_socket) + (unsigned int)strlen(cfg->source);
	for (i = 0; i < cfg->n_ports; i++) {
		const struct wr_config_port *p = &cfg->ports[i];

		sum += (unsigned int)strlen(p->device) + (unsigned int)strlen(p->name);
		for (j = 0; j < p->n_addrs; j++)
			sum += p->addrs[j].cidr + p->addrs[j].addr[15];
		for (j = 0; j < p->n_routes; j++)
			sum += p->routes[j].dst.cidr + p->routes[j].gateway[15];
		if (wr_config_find_port(cfg, p->name) != p)
			abort();
	}
	for (i = 0; i < cfg->n_interfaces; i++) {
		const struct wr_config_interface *ifc = &cfg->interfaces[i];

		if (ifc->port >= cfg->n_ports || ifc->listen_port == 0 ||
			ifc->mtu < WR_CONFIG_MTU_MIN || ifc->mtu > WR_CONFIG_MTU_MAX ||
			wr_config_find_interface(cfg, ifc->name) != ifc)
			abort();
		for (j = 0; j < ifc->n_addrs; j++)
			sum += ifc->addrs[j].cidr;
		for (j = 0; j < ifc->n_peers; j++) {
			const struct wr_config_peer *peer = &ifc->peers[j];

			sum += peer->public_key[31] + peer->endpoint.port;
			for (k = 0; k < peer->n_allowed_ips; k++) {
				const struct wr_config_prefix *a = &peer->allowed_ips[k];

				if (a->cidr > (a->family == AF_INET ? 32 : 128))
					abort();
				sum += a->addr[0];
			}
		}
	}
	for (i = 0; i < cfg->n_warnings; i++)
		sum += (unsigned int)strlen(cfg->warnings[i].message) + cfg->warnings[i].line;
	return sum;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wr_config_error err;
	struct wr_config *cfg = NULL;
	volatile unsigned int sink;
	int rc;

	rc = wr_config_load_string((const char *)data, size, "fuzz.conf", &cfg, &err);
	if (rc == 0) {
		if (!cfg)
			abort();
		sink = walk(cfg);
		(void)sink;
		wr_config_free(cfg);
	} else {
		/* A failure returns nothing and always explains itself. */
		if (cfg || strncmp(err.message, "fuzz.conf:", 10) ||
			memchr(err.message, '\0', sizeof(err.message)) == NULL)
			abort();
		if (rc != -EINVAL && rc != -ENOMEM)
			abort();
	}
	return 0;
}

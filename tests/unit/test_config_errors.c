/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Configuration parser, what fails: table-driven invalid files, each asserting the exact line and
 * a key part of the message, and that no message echoes a secret.
 *
 * Expected error lines are not counted by hand: the offending line of each invalid case carries
 * a trailing "# <-" comment (comments are invisible to the parser) and the test finds it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "wr_config.h"

#include "config_test.h"

struct invalid_case {
	const char *text;
	const char *part; /* expected in the message after "bad.conf:LINE: " */
};

/* The offending line ends in "# <-"; no marker means an error about the whole file (line 0). */
static const struct invalid_case invalid_cases[] = {
	/* lines and sections */
	{ PORT_WAN IFACE PEER2 "AllowedIPs = 10.0.0.0/33 # <-\n",
		"AllowedIPs: '10.0.0.0/33': prefix length out of range" },
	{ PORT_WAN "Hello # <-\n", "expected 'Key = Value' or a [Section]" },
	{ "ListenPort = 1 # <-\n" PORT_WAN, "ListenPort: outside of any section" },
	{ "Frobnicate = 1 # <-\n" PORT_WAN, "Frobnicate: outside of any section" },
	{ PORT_WAN "[Bogus] # <-\n", "[Bogus]: unknown section" },
	{ PORT_WAN "[Port wan # <-\n", "a section header ends with ']'" },
	{ PORT_WAN "[Port] # <-\n", "[Port]: needs a name" },
	{ PORT_WAN "[Interface] # <-\n", "[Interface]: needs a name" },
	{ PORT_WAN "[Port bad/name] # <-\n", "[Port bad/name]: a name is 1..31" },
	{ PORT_WAN "[Port a234567890123456789012345678901x] # <-\n", "a name is 1..31" },
	{ PORT_WAN "[Port a b] # <-\n", "[Port a b]: a name is" },
	{ PORT_WAN "[Interface wg-0123456789abc] # <-\n",
		"[Interface wg-0123456789abc]: an interface name is at most 15 characters" },
	{ PORT_WAN IFACE "[Peer x] # <-\n", "[Peer]: takes no name" },
	{ "[Gateway]\n[Gateway] # <-\n" PORT_WAN,
		"[Gateway]: duplicate section (first on line 1)" },
	{ PORT_WAN "[Port wan] # <-\nDevice = x\n",
		"[Port wan]: duplicate section (first on line 1)" },
	{ PORT_WAN IFACE "[Interface wg0] # <-\n", "[Interface wg0]: duplicate section (first on" },
	{ PORT_WAN "[Peer] # <-\nPublicKey = " PUB2 "\n", "[Peer] before any [Interface]" },
	{ PORT_WAN IFACE "Foo = 1 # <-\n", "Foo: unknown key in [Interface]" },
	{ PORT_WAN IFACE PEER2 "DNS = 192.0.2.53 # <-\n", "DNS: unknown key in [Peer]" },
	{ PORT_WAN "ListenPort = 1 # <-\n", "ListenPort: unknown key in [Port]" },
	{ "[Gateway]\nDevice = x # <-\n" PORT_WAN, "Device: unknown key in [Gateway]" },
	{ PORT_WAN IFACE "MTU = # <-\n", "MTU: empty value" },
	{ PORT_WAN IFACE "listenport = 2 # <-\n",
		"ListenPort: given twice in this section (first on line 6)" },
	{ "[Port wan]\nDevice = x\n" IFACE "Address = 198.51.100.1/24\n" PEER2
	  "AllowedIPs = 10.0.0.1/32\x01 # <-\n",
		"AllowedIPs: '10.0.0.1/32\x01': invalid prefix length" },
	{ "", "no [Port] section" },
	{ "# nothing\n[Gateway]\nControl = 0\n", "no [Port] section" },
	/* required keys, reported on the section header */
	{ "[Port wan] # <-\nAddress = 192.0.2.1/24\n", "[Port wan]: missing Device" },
	{ PORT_WAN "[Interface wg0] # <-\nListenPort = 1\nPort = wan\n",
		"[Interface wg0]: missing PrivateKey (or PrivateKeyFile)" },
	{ PORT_WAN "[Interface wg0] # <-\nPrivateKey = " PRIV1 "\nPort = wan\n" PEER2,
		"[Interface wg0]: missing ListenPort" },
	{ PORT_WAN "[Interface wg0] # <-\nPrivateKey = " PRIV1 "\nListenPort = 1\n",
		"[Interface wg0]: missing Port" },
	{ PORT_WAN IFACE PEER2 "[Peer] # <-\nAllowedIPs = 10.0.0.0/8\n",
		"[Peer]: missing PublicKey" },
	{ PORT_WAN IFACE "[Peer] # <-\n", "[Peer]: missing PublicKey" },
	/* cross references */
	{ PORT_WAN "[Interface wg0]\nPrivateKey = " PRIV1 "\nListenPort = 1\nPort = lan # <-\n",
		"Port: 'lan': no such [Port] section" },
	{ PORT_WAN IFACE "[Interface wg1]\nPrivateKey = " PRIV2
			 "\nListenPort = 51820 # <-\nPort = wan\n",
		"ListenPort: 51820 is already used by [Interface wg0] on port wan" },
	{ PORT_WAN IFACE PEER2 "[Peer]\nPublicKey = " PUB3 "\n[Peer]\nPublicKey = " PUB2 " # <-\n",
		"PublicKey: same key as the [Peer] on line 8" },
	{ PORT_WAN IFACE "[Peer]\nPublicKey = " PUB1 " # <-\n",
		"PublicKey: this is [Interface wg0]'s own public key" },
	/* keys: the message must not echo them */
	{ PORT_WAN "[Interface wg0]\nPrivateKey = " PUB2 "x # <-\n",
		"PrivateKey: not a key (expected 44 characters of base64" },
	{ PORT_WAN
		"[Interface wg0]\nPrivateKey = KDEJ/eXkJ3GU4HFJnNuKls1qHKLMEtyiFwokw0kkL0B= # <-\n",
		"PrivateKey: not a key" },
	{ PORT_WAN "[Interface wg0]\nPrivateKey " PRIV1 " # <-\n", "not a valid key name" },
	{ PORT_WAN IFACE PEER2 "PresharedKey = " PUB3 "A # <-\n", "PresharedKey: not a key" },
	{ PORT_WAN IFACE "[Peer]\nPublicKey = u3EUiHrnqJhDPpz+vTz2vbEfEYuyQ2LaawCuI3wIXCY # <-\n",
		"PublicKey: not a key" },
	{ PORT_WAN "[Interface wg0]\nPrivateKey = " PRIV1 "\nPrivateKeyFile = /k # <-\n",
		"PrivateKeyFile: PrivateKey is also given (line 5)" },
	{ PORT_WAN "[Interface wg0]\nPrivateKeyFile = /nonexistent/wg0.key # <-\n",
		"PrivateKeyFile: '/nonexistent/wg0.key': No such file or directory" },
	{ PORT_WAN "[Interface wg0]\nPrivateKeyFile = / # <-\n",
		"PrivateKeyFile: '/': not a regular file" },
	/* values */
	{ PORT_WAN IFACE "Address = 192.0.2.300/24 # <-\n",
		"Address: '192.0.2.300/24': invalid IP address" },
	{ PORT_WAN IFACE "Address = 198.51.100.1/24,,198.51.100.2/24 # <-\n",
		"Address: empty list item" },
	{ PORT_WAN IFACE "Address = 2001:db8::1/129 # <-\n",
		"Address: '2001:db8::1/129': prefix length out of range" },
	{ PORT_WAN IFACE "Address = 198.51.100.1/ # <-\n",
		"Address: '198.51.100.1/': invalid prefix length" },
	{ PORT_WAN IFACE PEER2 "AllowedIPs = 10.0.0.0/-1 # <-\n", "invalid prefix length" },
	{ PORT_WAN IFACE PEER2 "AllowedIPs = 10.0.0.0/8, example.com # <-\n",
		"AllowedIPs: 'example.com': invalid IP address" },
	{ "[Port wan]\nDevice = x\nRoute = 10.0.0.0/8 via # <-\n",
		"Route: '10.0.0.0/8 via': expected DESTINATION/CIDR [via GATEWAY]" },
	{ "[Port wan]\nDevice = x\nRoute = 10.0.0.0/8 through 192.0.2.1 # <-\n",
		"expected DESTINATION/CIDR" },
	{ "[Port wan]\nDevice = x\nRoute = 10.0.0.0/8 via 192.0.2.1 x # <-\n",
		"expected DESTINATION/CIDR" },
	{ "[Port wan]\nDevice = x\nRoute = 10.0.0.0/8 via 2001:db8::1 # <-\n",
		"of different families" },
	{ "[Port wan]\nDevice = x\nRoute = 10.0.0.0/8 via gw.example # <-\n",
		"invalid gateway address" },
	{ "[Port wan]\nDevice = x\nRoute = 10.0.0.0/40 # <-\n",
		"Route: '10.0.0.0/40': prefix length out of range" },
	{ PORT_WAN "[Interface wg0]\nListenPort = 0 # <-\n",
		"ListenPort: '0': expected a UDP port (1..65535)" },
	{ PORT_WAN "[Interface wg0]\nListenPort = 65536 # <-\n",
		"ListenPort: '65536': expected a UDP port" },
	{ PORT_WAN "[Interface wg0]\nListenPort = 99999999999999999999999 # <-\n",
		"expected a UDP port" },
	{ PORT_WAN "[Interface wg0]\nListenPort = +1 # <-\n",
		"ListenPort: '+1': expected a UDP port" },
	{ PORT_WAN IFACE "MTU = 575 # <-\n", "MTU: '575': out of range (576..9000)" },
	{ PORT_WAN IFACE "UDPChecksum = off # <-\n", "UDPChecksum: 'off': expected auto or on" },
	{ PORT_WAN IFACE "UDPChecksum = auto\nUDPChecksum = on # <-\n",
		"UDPChecksum: given twice in this section" },
	{ PORT_WAN IFACE "MTU = 9001 # <-\n", "MTU: '9001': out of range (576..9000)" },
	{ PORT_WAN IFACE "MTU = 1279 # <-\n" PEER2 "AllowedIPs = 10.0.0.0/8, 2001:db8::/32\n",
		"MTU: 1279 is below 1280, the minimum for IPv6 in the tunnel" },
	{ PORT_WAN IFACE "MTU = 1000 # <-\nAddress = 2001:db8::1/64\n", "MTU: 1000 is below 1280" },
	{ PORT_WAN IFACE PEER2 "Endpoint = vpn.example.com:51820 # <-\n",
		"Endpoint: 'vpn.example.com:51820': invalid IP address (host names are not "
		"supported)" },
	{ PORT_WAN IFACE PEER2 "Endpoint = 2001:db8::1:51820 # <-\n",
		"an IPv6 endpoint is written [address]:port" },
	{ PORT_WAN IFACE PEER2 "Endpoint = [2001:db8::1]51820 # <-\n", "expected [IPv6]:port" },
	{ PORT_WAN IFACE PEER2 "Endpoint = 192.0.2.1 # <-\n",
		"Endpoint: '192.0.2.1': expected address:port" },
	{ PORT_WAN IFACE PEER2 "Endpoint = 192.0.2.1:0 # <-\n", "port out of range (1..65535)" },
	{ PORT_WAN IFACE PEER2 "Endpoint = 192.0.2.1:65536 # <-\n", "port out of range" },
	/* what is no number is not said to be out of range */
	{ PORT_WAN IFACE PEER2 "Endpoint = 192.0.2.1:abc # <-\n",
		"Endpoint: '192.0.2.1:abc': expected a port number (1..65535)" },
	{ PORT_WAN IFACE PEER2 "Endpoint = 192.0.2.1: # <-\n", "expected a port number" },
	{ PORT_WAN IFACE PEER2 "Endpoint = [2001:db8::1]:-1 # <-\n", "expected a port number" },
	{ PORT_WAN IFACE PEER2 "PersistentKeepalive = 65536 # <-\n",
		"PersistentKeepalive: '65536': expected seconds (0..65535) or off" },
	{ PORT_WAN IFACE PEER2 "PersistentKeepalive = sometimes # <-\n", "expected seconds" },
	{ "[Gateway]\nWorkers = 3-1 # <-\n" PORT_WAN, "Workers: '3-1': range runs backwards" },
	{ "[Gateway]\nWorkers = 1-3,2 # <-\n" PORT_WAN,
		"Workers: '1-3,2': an lcore is listed twice" },
	{ "[Gateway]\nWorkers = 1,,2 # <-\n" PORT_WAN, "expected an lcore list such as 1-3,5" },
	{ "[Gateway]\nWorkers = one # <-\n" PORT_WAN, "expected an lcore list such as 1-3,5" },
	{ "[Gateway]\nWorkers = 1-1024 # <-\n" PORT_WAN, "lcore id out of range (0..1023)" },
	{ "[Gateway]\nControl = 1024 # <-\n" PORT_WAN,
		"Control: '1024': expected an lcore id (0..1023)" },
	{ "[Gateway]\nControl = 1 # <-\n" PORT_WAN, "Control: lcore 1 is also a worker" },
	{ "[Gateway]\nMaxPeers = 0 # <-\n" PORT_WAN,
		"MaxPeers: '0': expected a number of peers (1..1000000)" },
	{ "[Gateway]\nMaxPeers = 1000001 # <-\n" PORT_WAN, "expected a number of peers" },
	{ "[Gateway]\nMaxPeers = many # <-\n" PORT_WAN, "expected a number of peers" },
	{ "[Gateway]\nMaxPeers = 1 # <-\n" PORT_WAN IFACE PEER2 "[Peer]\nPublicKey = " PUB3 "\n",
		"MaxPeers: 1, but the file has 2 peers" },
	{ "[Gateway]\nControlAddress = 192.0.2.1:8080 # <-\n" PORT_WAN,
		"ControlAddress: needs ControlTokenFile" },
	{ "[Gateway]\nControlAddress = 192.0.2.1 # <-\n" PORT_WAN,
		"ControlAddress: '192.0.2.1': expected ADDRESS:PORT or [ADDRESS]:PORT" },
	{ "[Gateway]\nControlAddress = localhost:80 # <-\n" PORT_WAN, "expected ADDRESS:PORT" },
	{ "[Gateway]\nControlAddress = 2001:db8::1:80 # <-\n" PORT_WAN, "expected ADDRESS:PORT" },
	{ "[Gateway]\nControlAddress = 192.0.2.1:65536 # <-\n" PORT_WAN,
		"ControlAddress: '192.0.2.1:65536': expected a TCP port (1..65535)" },
	/* a port at random could not be told to the clients */
	{ "[Gateway]\nControlAddress = 192.0.2.1:0 # <-\n" PORT_WAN,
		"ControlAddress: '192.0.2.1:0': expected a TCP port (1..65535)" },
	{ "[Gateway]\nControlAddress = [2001:db8::1]:0 # <-\n" PORT_WAN,
		"expected a TCP port (1..65535)" },
	{ "[Gateway]\nControlAddress = 192.0.2.1:http # <-\n" PORT_WAN, "expected ADDRESS:PORT" },
	{ "[Gateway]\nControlAddress = 192.0.2.1: # <-\n" PORT_WAN, "expected ADDRESS:PORT" },
	/* the token is read with the file, and named with its line */
	{ "[Gateway]\nControlAddress = 192.0.2.1:8080\n"
	  "ControlTokenFile = /nonexistent/wr-token # <-\n" PORT_WAN,
		"ControlTokenFile: '/nonexistent/wr-token': No such file or directory" },
	{ "[Gateway]\nControlTokenFile = /dev/null # <-\nControlAddress = "
	  "192.0.2.1:8080\n" PORT_WAN,
		"ControlTokenFile: '/dev/null': not a regular file" },
	{ "[Gateway]\nControl = 2\nWorkers = 1-3 # <-\n" PORT_WAN,
		"Workers: includes the control lcore 2" },
	{ "[Gateway]\nWorkers = 0-3\nControl = 2 # <-\n" PORT_WAN,
		"Control: lcore 2 is also a worker" },
	{ "[Gateway]\nControlSocket = "
	  "/run/"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaa # <-\n" PORT_WAN,
		"ControlSocket: path longer than 107 characters" },
};

static unsigned int
marked_line(const char *text)
{
	const char *mark = strstr(text, "# <-");
	unsigned int line = 1;

	if (!mark)
		return 0;
	for (; text < mark; text++)
		line += *text == '\n';
	return line;
}

static void
test_invalid(void)
{
	size_t i;

	printf("config: %zu invalid files fail with the right line and message\n",
		sizeof(invalid_cases) / sizeof(invalid_cases[0]));
	for (i = 0; i < sizeof(invalid_cases) / sizeof(invalid_cases[0]); i++) {
		char what[32];

		snprintf(what, sizeof(what), "invalid case %zu", i);
		expect_error(invalid_cases[i].text, strlen(invalid_cases[i].text),
			marked_line(invalid_cases[i].text), invalid_cases[i].part, what);
	}

	printf("config: a NUL byte is an error, not the end of the text\n");
	{
		static const char text[] = PORT_WAN "Address = 192.0.2.1/24\0junk\n";

		expect_error(text, sizeof(text) - 1, 4, "NUL byte in the text", "NUL");
	}

	printf("config: a NULL error pointer is allowed\n");
	{
		struct wr_config *cfg = (void *)1;
		int rc = wr_config_load_string("[Bogus]\n", 8, NULL, &cfg, NULL);

		CHECK(rc == -EINVAL && !cfg, "rc %d", rc);
	}
}

int
main(void)
{
	static void (*const tests[])(void) = { test_invalid };

	return config_test_main(tests, sizeof(tests) / sizeof(tests[0]));
}

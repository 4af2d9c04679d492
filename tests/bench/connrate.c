// SPDX-License-Identifier: GPL-2.0
/*
 * Connection-rate load for the benchmarks: many short connections, each
 * connect, one byte each way, close.
 *
 *   connrate server ADDR PORT            serve until killed
 *   connrate client ADDR PORT SECONDS N  N clients for SECONDS; prints
 *                                        connections per second
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_storage addr;
static socklen_t addrlen;
static atomic_ulong done, failed;
static atomic_bool stop;

static int parse(const char *host, const char *port)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)&addr;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&addr;
	int p = atoi(port);

	memset(&addr, 0, sizeof(addr));
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)p);
		addrlen = sizeof(*a4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)p);
		addrlen = sizeof(*a6);
		return 0;
	}
	return -1;
}

/*
 * One thread and epoll, as a real server would: a thread per connection
 * would make the baseline mostly thread creation.
 */
static int server(void)
{
	int one = 1, ls = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct epoll_event ev = { .events = EPOLLIN }, evs[256];
	int ep = epoll_create1(0);

	if (ls < 0 || ep < 0 ||
	    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(ls, (struct sockaddr *)&addr, addrlen) || listen(ls, 4096)) {
		perror("connrate server");
		return 1;
	}
	ev.data.fd = ls;
	epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
	printf("listening\n");
	fflush(stdout);
	for (;;) {
		int i, n = epoll_wait(ep, evs, 256, -1);

		for (i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			ssize_t r;
			char b;

			if (fd == ls) {
				while ((fd = accept4(ls, NULL, NULL,
						     SOCK_NONBLOCK)) >= 0) {
					ev.data.fd = fd;
					epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
				}
				continue;
			}
			/* The client's byte: echo it; then its FIN: close. */
			r = read(fd, &b, 1);
			if (r == 1) {
				if (write(fd, &b, 1) != 1)
					close(fd);
				continue;
			}
			if (r < 0 && errno == EAGAIN)
				continue;
			close(fd);
		}
	}
}

static void *client_loop(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		int fd = socket(addr.ss_family, SOCK_STREAM, 0);
		struct linger lg = { 0 };
		char b = 'x';

		if (fd < 0) {
			atomic_fetch_add(&failed, 1);
			continue;
		}
		/* Close normally: FIN, not RST, so every close is traced. */
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		if (connect(fd, (struct sockaddr *)&addr, addrlen) ||
		    write(fd, &b, 1) != 1 || read(fd, &b, 1) != 1)
			atomic_fetch_add(&failed, 1);
		else
			atomic_fetch_add(&done, 1);
		close(fd);
	}
	return NULL;
}

static int client(double seconds, int n)
{
	pthread_t t[256];
	struct timespec a, b;
	double el;
	int i;

	if (n < 1 || n > 256)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++)
		pthread_create(&t[i], NULL, client_loop, NULL);
	usleep((useconds_t)(seconds * 1e6));
	atomic_store(&stop, true);
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	el = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	printf("{\"connections\":%lu,\"failed\":%lu,\"seconds\":%.3f,\"per_second\":%.1f}\n",
	       atomic_load(&done), atomic_load(&failed), el,
	       (double)atomic_load(&done) / el);
	return 0;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc >= 4 && !parse(argv[2], argv[3])) {
		if (!strcmp(argv[1], "server"))
			return server();
		if (!strcmp(argv[1], "client") && argc == 6)
			return client(atof(argv[4]), atoi(argv[5]));
	}
	fprintf(stderr, "usage: connrate server ADDR PORT | client ADDR PORT SECONDS N\n");
	return 2;
}

// SPDX-License-Identifier: GPL-2.0
/* synfin reader: generic netlink plumbing on libmnl. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include "synfin.h"
#include "nl.h"
#include "select.h"

struct sf_nl {
	struct mnl_socket *sock;
	unsigned int portid;
	unsigned int seq;
	uint16_t family;
	int events_grp;
	int ctrl_grp;
	char *buf;
	size_t buflen;
	bool dump_intr;		/* the last dump was interrupted */
};

struct sf_nl *sf_nl_open(void)
{
	struct sf_nl *nl = calloc(1, sizeof(*nl));
	int one = 1;

	if (!nl)
		return NULL;
	nl->buflen = MNL_SOCKET_BUFFER_SIZE * 8;
	nl->buf = malloc(nl->buflen);
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->buf || !nl->sock)
		goto fail;
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	/* Ask for extended error messages; harmless if unsupported. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (unsigned int)time(NULL);
	nl->events_grp = -1;
	nl->ctrl_grp = -1;
	return nl;

fail:
	sf_nl_close(nl);
	return NULL;
}

void sf_nl_close(struct sf_nl *nl)
{
	if (!nl)
		return;
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl->buf);
	free(nl);
}

int sf_nl_fd(const struct sf_nl *nl)
{
	return mnl_socket_get_fd(nl->sock);
}

uint16_t sf_nl_family_id(const struct sf_nl *nl)
{
	return nl->family;
}

struct resolve_ctx {
	const char *group;
	uint16_t id;
	int grp;
};

static int grp_cb(const struct nlattr *attr, struct resolve_ctx *ctx)
{
	const struct nlattr *a;
	const char *name = NULL;
	int id = -1;

	mnl_attr_for_each_nested(a, attr) {
		switch (mnl_attr_get_type(a)) {
		case CTRL_ATTR_MCAST_GRP_NAME:
			if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
				name = mnl_attr_get_str(a);
			break;
		case CTRL_ATTR_MCAST_GRP_ID:
			if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
				id = (int)mnl_attr_get_u32(a);
			break;
		}
	}
	if (name && id >= 0 && !strcmp(name, ctx->group))
		ctx->grp = id;
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct resolve_ctx *ctx = arg;
	const struct nlattr *a, *g;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case CTRL_ATTR_FAMILY_ID:
			if (mnl_attr_validate(a, MNL_TYPE_U16) >= 0)
				ctx->id = mnl_attr_get_u16(a);
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			mnl_attr_for_each_nested(g, a)
				grp_cb(g, ctx);
			break;
		}
	}
	return MNL_CB_OK;
}

static struct nlmsghdr *put_genl(struct sf_nl *nl, uint16_t type, uint8_t cmd,
				 uint8_t version, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

/*
 * A dump whose table changed between its parts says so with
 * NLM_F_DUMP_INTR, on which libmnl stops: note it and read on, so that
 * the caller has the whole dump and can decide (sf_nl_dump_intr()).
 */
static void note_dump_intr(struct sf_nl *nl, size_t len)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)nl->buf;
	int left = (int)len;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) {
			nl->dump_intr = true;
			nlh->nlmsg_flags &= ~NLM_F_DUMP_INTR;
		}
	}
}

bool sf_nl_dump_intr(const struct sf_nl *nl)
{
	return nl->dump_intr;
}

/* Send @nlh and run @cb over the replies until the ACK or DONE. */
static int transact(struct sf_nl *nl, struct nlmsghdr *nlh, sf_msg_cb cb,
		    void *arg)
{
	unsigned int seq = nlh->nlmsg_seq;
	ssize_t n;
	int ret;

	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(nl->sock, nl->buf, nl->buflen);
		if (n < 0)
			return -errno;
		note_dump_intr(nl, (size_t)n);
		ret = mnl_cb_run(nl->buf, (size_t)n, seq, nl->portid,
				 (mnl_cb_t)cb, arg);
	} while (ret > 0);
	return ret < 0 ? -errno : 0;
}

static int resolve(struct sf_nl *nl, const char *family, const char *group,
		   uint16_t *id, int *grp)
{
	struct resolve_ctx ctx = { .group = group, .grp = -1 };
	struct nlmsghdr *nlh;
	int err;

	nlh = put_genl(nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, NLM_F_ACK);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, family);
	err = transact(nl, nlh, family_cb, &ctx);
	if (err)
		return err;
	if (id)
		*id = ctx.id;
	if (ctx.grp < 0)
		return -ENOENT;	/* (*grp as it was: a fallback may use it) */
	*grp = ctx.grp;
	return 0;
}

int sf_nl_resolve(struct sf_nl *nl)
{
	return resolve(nl, SYNFIN_GENL_NAME, SYNFIN_MCGRP_EVENTS, &nl->family,
		       &nl->events_grp);
}

int sf_nl_subscribe(struct sf_nl *nl, int rcvbuf, const char *group)
{
	int size = rcvbuf;
	int one = 1;
	int err;

	if (group) {
		err = resolve(nl, SYNFIN_GENL_NAME, group, NULL, &nl->events_grp);
		if (err)
			return err;
	}
	err = resolve(nl, "nlctrl", "notify", NULL, &nl->ctrl_grp);
	if (err)
		return err;
	/* A big receive buffer; the forced variant needs CAP_NET_ADMIN. */
	if (setsockopt(sf_nl_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &size,
		       sizeof(size)) < 0)
		setsockopt(sf_nl_fd(nl), SOL_SOCKET, SO_RCVBUF, &size,
			   sizeof(size));
	/*
	 * Let the module know when our buffer overflows: it then counts the
	 * batch in nl_send_failed, so the loss is accounted on both sides.
	 */
	mnl_socket_setsockopt(nl->sock, NETLINK_BROADCAST_ERROR, &one,
			      sizeof(one));
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP,
				  &nl->events_grp, sizeof(int)) < 0)
		return -errno;
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP,
				  &nl->ctrl_grp, sizeof(int)) < 0)
		return -errno;
	return 0;
}

int sf_nl_request(struct sf_nl *nl, uint8_t cmd, bool dump, sf_msg_cb cb,
		  void *arg)
{
	struct nlmsghdr *nlh;

	nlh = put_genl(nl, nl->family, cmd, SYNFIN_GENL_VERSION,
		       NLM_F_ACK | (dump ? NLM_F_DUMP : 0));
	nl->dump_intr = false;
	return transact(nl, nlh, cb, arg);
}

static int no_reply_cb(const struct nlmsghdr *nlh, void *arg)
{
	(void)nlh;
	(void)arg;
	return MNL_CB_OK;
}

int sf_nl_set_selection(struct sf_nl *nl, const struct synfin_select *sel)
{
	struct nlattr *nest, *one;
	struct nlmsghdr *nlh;
	unsigned int i;

	nlh = put_genl(nl, nl->family, SYNFIN_CMD_SET_SELECTION,
		       SYNFIN_GENL_VERSION, NLM_F_ACK);
	/* At most 16 of each, some 700 bytes: the buffer holds them. */
	nest = mnl_attr_nest_start(nlh, SYNFIN_A_SELECTION);
	for (i = 0; i < sel->nports; i++) {
		one = mnl_attr_nest_start(nlh, SYNFIN_SEL_PORTS);
		mnl_attr_put_u16(nlh, SYNFIN_SEL_PORTS_LO, sel->ports[i].lo);
		mnl_attr_put_u16(nlh, SYNFIN_SEL_PORTS_HI, sel->ports[i].hi);
		mnl_attr_nest_end(nlh, one);
	}
	for (i = 0; i < sel->nprefixes; i++) {
		const struct synfin_prefix *p = &sel->prefixes[i];

		one = mnl_attr_nest_start(nlh, SYNFIN_SEL_PREFIX);
		mnl_attr_put_u8(nlh, SYNFIN_SEL_PREFIX_FAMILY, p->family);
		mnl_attr_put(nlh, SYNFIN_SEL_PREFIX_ADDR,
			     p->family == AF_INET ? 4 : 16, p->addr);
		mnl_attr_put_u8(nlh, SYNFIN_SEL_PREFIX_LEN, p->len);
		mnl_attr_nest_end(nlh, one);
	}
	mnl_attr_nest_end(nlh, nest);
	return transact(nl, nlh, no_reply_cb, NULL);
}

struct recv_ctx {
	struct sf_nl *nl;
	sf_msg_cb cb;
	void *arg;
	bool family_gone;
};

static int notify_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct recv_ctx *rc = arg;
	const struct genlmsghdr *g;
	const struct nlattr *a;

	if (nlh->nlmsg_type == rc->nl->family)
		return rc->cb(nlh, rc->arg);
	if (nlh->nlmsg_type != GENL_ID_CTRL ||
	    nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*g)))
		return MNL_CB_OK;
	g = mnl_nlmsg_get_payload(nlh);
	if (g->cmd != CTRL_CMD_DELFAMILY)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*g)) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_NAME &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0 &&
		    !strcmp(mnl_attr_get_str(a), SYNFIN_GENL_NAME))
			rc->family_gone = true;
	}
	return MNL_CB_OK;
}

int sf_nl_recv(struct sf_nl *nl, sf_msg_cb cb, void *arg, bool *family_gone)
{
	struct recv_ctx rc = { .nl = nl, .cb = cb, .arg = arg };
	ssize_t n;
	int ret;

	n = recv(sf_nl_fd(nl), nl->buf, nl->buflen, MSG_DONTWAIT);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	ret = mnl_cb_run(nl->buf, (size_t)n, 0, 0, notify_cb, &rc);
	*family_gone = rc.family_gone;
	return ret < 0 ? -errno : 0;
}

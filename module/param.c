// SPDX-License-Identifier: GPL-2.0
/*
 * Checked module parameters: the one set of operations behind every
 * unsigned parameter that has a range (param.h).
 */
#include <linux/kernel.h>
#include <linux/sysfs.h>

#include "param.h"

static int uint_param_set(const char *val, const struct kernel_param *kp)
{
	const struct synfin_uint_param *p = kp->arg;
	unsigned int v;
	int err = kstrtouint(val, 0, &v);

	if (err) {
		pr_err("%s: not a number from %u to %u: %s\n", kp->name,
		       p->min, p->max, val);
		return err;
	}
	if (v < p->min || v > p->max) {
		pr_err("%s must be from %u to %u, not %u\n", kp->name, p->min,
		       p->max, v);
		return -EINVAL;
	}
	WRITE_ONCE(*p->val, v);
	if (p->changed)
		p->changed();
	return 0;
}

static int uint_param_get(char *buf, const struct kernel_param *kp)
{
	const struct synfin_uint_param *p = kp->arg;

	return sysfs_emit(buf, "%u\n", READ_ONCE(*p->val));
}

const struct kernel_param_ops synfin_uint_param_ops = {
	.set = uint_param_set,
	.get = uint_param_get,
};

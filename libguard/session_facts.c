/* Where a process is: the location of its session (docs/design.md, "The
 * privilege model"), never a terminal the caller merely holds open as fd
 * 0-2, never SSH_* variables. guardctl asks of itself (setuid, it inherits
 * the caller's session and controlling terminal); guard-pam-helper asks of
 * the host process (su, sudo, passwd) that waits for its answer, so the pid
 * cannot be reused meanwhile. Every fact comes from the kernel (/proc,
 * getsid), utmp (written by sshd and login) or systemd-logind (told by
 * root's sshd and login through PAM). The edge's I/O half of session.c,
 * which decides from the facts. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <utmpx.h>

#include "logind.h"
#include "session.h"

/* Reads a small file whole into buf (NUL-terminated); a file that fills
 * buf is too long to be what it should. root_only: a regular file of
 * root's that nobody else may write (logind's records). Returns the length
 * or -errno. */
static ssize_t read_small(const char *path, char *buf, size_t size, bool root_only)
{
	struct stat st;
	ssize_t n, total = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);

	if (fd < 0)
		return -errno;
	if (root_only &&
	    (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022))) {
		close(fd);
		return -EPERM;
	}
	while ((size_t)total < size - 1) {
		n = read(fd, buf + total, size - 1 - (size_t)total);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		total += n;
	}
	close(fd);
	if ((size_t)total >= size - 1)
		return -EFBIG;
	buf[total] = '\0';
	return total;
}

/* /proc/PID/stat of pid, parsed from its last ')': the comm field before
 * it is the process's to name. */
static int proc_stat(pid_t pid, struct guard_proc_stat *ret)
{
	char path[64], buf[1024];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	n = read_small(path, buf, sizeof(buf), false);
	return n < 0 ? (int)n : guard_proc_stat_parse(buf, (size_t)n, ret);
}

/* The name of the controlling terminal tty_nr: the device file whose
 * number it is, never a name from the caller. */
static int tty_by_number(uint32_t tty_nr, char *buf, size_t size)
{
	dev_t dev = (dev_t)tty_nr;
	char path[96];
	struct stat st;
	int r;

	if (tty_nr == 0)
		return -ENOTTY;
	r = guard_tty_name(major(dev), minor(dev), buf, size);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "/dev/%s", buf);
	if (lstat(path, &st) < 0)
		return -errno;
	if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(major(dev), minor(dev)))
		return -ENODEV;
	return 0;
}

/* utmp's USER_PROCESS entry for the terminal line. */
static void utmp_facts(const char *line, struct guard_session_facts *f, char *host,
		       size_t host_size)
{
	struct utmpx key, *ut;

	memset(&key, 0, sizeof(key));
	if (strlen(line) > sizeof(key.ut_line))
		return; /* no entry can name it */
	memcpy(key.ut_line, line, strlen(line));
	setutxent();
	ut = getutxline(&key);
	if (ut && ut->ut_type == USER_PROCESS && ut->ut_pid > 0) {
		size_t n = strnlen(ut->ut_host, sizeof(ut->ut_host));

		if (n >= host_size)
			n = host_size - 1;
		memcpy(host, ut->ut_host, n);
		host[n] = '\0';
		f->ut_found = true;
		f->ut_pid = ut->ut_pid;
		f->ut_host = host;
		memcpy(f->ut_addr_v6, ut->ut_addr_v6, sizeof(f->ut_addr_v6));
	}
	endutxent();
}

/* systemd-logind's record of the process's session: the session its
 * cgroup names (which the caller cannot leave for another session's), and
 * logind's file of that session. */
static void logind_facts(pid_t pid, struct guard_session_facts *f, struct guard_logind_session *rec)
{
	char path[96], id[64], buf[8192];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	n = read_small(path, buf, sizeof(buf), false);
	if (n < 0 || guard_cgroup_session(buf, (size_t)n, id, sizeof(id)) < 0)
		return;
	snprintf(path, sizeof(path), GUARD_LOGIND_SESSIONS "/%s", id);
	n = read_small(path, buf, sizeof(buf), true);
	if (n < 0 || guard_logind_session_parse(buf, (size_t)n, rec) < 0 || !rec->known)
		return;
	f->logind = true;
	f->logind_remote = rec->remote;
	if (rec->remote && rec->remote_host[0])
		f->logind_host = rec->remote_host;
	f->logind_seat = rec->seat[0] != '\0';
	if (rec->tty[0])
		f->logind_tty = rec->tty;
}

void guard_locate_process(pid_t pid, struct guard_location *ret)
{
	struct guard_session_facts f = {.sid = -1, .ut_pid_sid = -1, .leader_ppid = -1};
	struct guard_proc_stat self = {0}, leader = {.ppid = -1};
	struct guard_logind_session rec;
	char ctty[64], ut_host[sizeof(((struct utmpx *)0)->ut_host) + 1];

	if (pid <= 0) {
		guard_session_locate(&f, ret); /* no process: unknown */
		return;
	}
	logind_facts(pid, &f, &rec);
	f.sid = getsid(pid);
	/* The session's terminal: the process's, which /proc says, in the
	 * session getsid(2) says (a stat that disagrees is not trusted). */
	if (f.sid > 0 && proc_stat(pid, &self) == 0 && self.sid == f.sid &&
	    tty_by_number(self.tty_nr, ctty, sizeof(ctty)) == 0) {
		f.ctty = ctty;
		utmp_facts(ctty, &f, ut_host, sizeof(ut_host));
	}
	if (f.ut_found) {
		f.ut_pid_sid = getsid(f.ut_pid);
		if (proc_stat(f.sid, &leader) == 0)
			f.leader_ppid = leader.ppid;
	}
	guard_session_locate(&f, ret);
}

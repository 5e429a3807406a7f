"""A real one-node Slurm cluster for the lease hook tests: munged,
slurmctld and slurmd from Debian's slurm-wlm and munge, on loopback ports,
with their state, logs and keys in a test folder. Two GPUs are declared as
generic resources (backed by /dev/null and /dev/zero: Slurm schedules them;
nothing runs on them). Needs root, as slurmd does."""

import os
import shutil
import socket
import subprocess
import time

from .util import free_port


def unavailable():
    """Why a local Slurm cannot run here, or None."""
    for tool in ("munged", "mungekey", "slurmctld", "slurmd", "sbatch", "squeue", "scancel"):
        if shutil.which(tool) is None and not os.path.exists(f"/usr/sbin/{tool}"):
            return f"{tool} is not installed (contrib/install-deps.sh installs slurm-wlm, munge)"
    if os.geteuid() != 0:
        return "slurmd needs root"
    return None


def _tool(name):
    return shutil.which(name) or f"/usr/sbin/{name}"


class LocalSlurm:
    def __init__(self, folder):
        self.dir = folder
        self.conf = os.path.join(folder, "slurm.conf")
        self.host = socket.gethostname().split(".")[0]
        self.env = dict(os.environ, SLURM_CONF=self.conf)

    def start(self):
        d = self.dir
        for sub in ("state", "spool"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        key = os.path.join(d, "munge.key")
        subprocess.run([_tool("mungekey"), "-c", "-k", key], check=True, capture_output=True)
        os.chmod(key, 0o600)
        self.socket = os.path.join(d, "munge.socket")
        subprocess.run([_tool("munged"), f"--key-file={key}", f"--socket={self.socket}",
                        f"--pid-file={d}/munged.pid", f"--log-file={d}/munged.log",
                        f"--seed-file={d}/munged.seed", "--force"], check=True,
                       capture_output=True)
        with open(self.conf, "w") as f:
            f.write(f"""ClusterName=depintest
SlurmctldHost={self.host}(127.0.0.1)
SlurmctldPort={free_port()}
SlurmdPort={free_port()}
AuthType=auth/munge
AuthInfo=socket={self.socket}
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation={d}/state
SlurmdSpoolDir={d}/spool
SlurmctldPidFile={d}/slurmctld.pid
SlurmdPidFile={d}/slurmd.pid
SlurmctldLogFile={d}/slurmctld.log
SlurmdLogFile={d}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
GresTypes=gpu
ReturnToService=2
MpiDefault=none
NodeName={self.host} NodeAddr=127.0.0.1 CPUs={os.cpu_count()} RealMemory=500 Gres=gpu:2 State=UNKNOWN
PartitionName=depin Nodes=ALL Default=YES MaxTime=INFINITE State=UP
""")
        with open(os.path.join(d, "gres.conf"), "w") as f:
            f.write("AutoDetect=off\nName=gpu File=/dev/null\nName=gpu File=/dev/zero\n")
        subprocess.run([_tool("slurmctld"), "-f", self.conf], check=True, env=self.env,
                       capture_output=True)
        subprocess.run([_tool("slurmd"), "-f", self.conf], check=True, env=self.env,
                       capture_output=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            out = self.run("sinfo", "-h", "-o", "%t")
            if out.strip() == "idle":
                return
            time.sleep(0.5)
        raise AssertionError(f"the local Slurm did not come up: sinfo says {out!r}; "
                             f"see {d}/slurmctld.log and {d}/slurmd.log")

    def run(self, *args):
        return subprocess.run([_tool(args[0]), *args[1:]], env=self.env, capture_output=True,
                              text=True, timeout=30).stdout

    def jobs(self):
        """[(id, name, state)] in the queue."""
        out = self.run("squeue", "-h", "-o", "%i %j %T")
        return [tuple(line.split()) for line in out.splitlines() if line.strip()]

    def stop(self):
        # Jobs first, so no slurmstepd outlives its slurmd.
        if os.path.exists(os.path.join(self.dir, "slurmctld.pid")):
            self.run("scancel", "--partition=depin")
            deadline = time.time() + 10
            while time.time() < deadline and self.jobs():
                time.sleep(0.3)
        for pidfile in ("slurmd.pid", "slurmctld.pid", "munged.pid"):
            try:
                with open(os.path.join(self.dir, pidfile)) as f:
                    pid = int(f.read().strip())
                os.kill(pid, 15)
            except (OSError, ValueError):
                pass
        time.sleep(0.5)

"""Stand-in for get-pip.py used by ansible-test (its download host is unreachable here).

ansible-test runs this script to put pip into the virtualenvs it creates. We install pip from
the interpreter's bundled wheel and then let pip fetch what was asked for from the package index.
"""
import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"])
if args:
    subprocess.check_call([sys.executable, "-m", "pip", "install"] + args)

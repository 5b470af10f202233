# Check: supervisord's configuration parses and runs exactly the programs
# CHECK_PROGRAMS names (space-separated).
WSBUILD_RUN=$(mktemp -d)
export WSBUILD_RUN
/usr/bin/python3 - <<'PY'
import os, sys
from supervisor.options import ServerOptions
o = ServerOptions()
o.realize(args=["-c", "/etc/wsbuild/supervisord.conf"])
have = sorted(g.name for g in o.process_group_configs)
want = sorted(os.environ["CHECK_PROGRAMS"].split())
if have != want:
    sys.exit("supervisor programs are %s, not %s" % (have, want))
PY

# wsbuild's "supervisor config parses" check: supervisord's config names
# exactly the programs given as arguments.
set -eu
export WSBUILD_RUN=$(mktemp -d) WANT="$*"
/usr/bin/python3 - <<'PY'
import os, sys
from supervisor.options import ServerOptions
o = ServerOptions()
o.realize(args=["-c", "/etc/wsbuild/supervisord.conf"])
have = sorted(g.name for g in o.process_group_configs)
want = sorted(os.environ["WANT"].split())
if have != want:
    sys.exit("supervisor programs are %s, not %s" % (have, want))
PY

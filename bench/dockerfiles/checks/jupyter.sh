# wsbuild's "jupyter --version" check; $1 is the app (lab or notebook).
set -eu
jupyter --version
jupyter "$1" --version

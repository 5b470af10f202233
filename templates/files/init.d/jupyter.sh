# Sourced by wsbuild-init: Jupyter's token, from JUPYTER_TOKEN or generated.
if [ -z "${JUPYTER_TOKEN:-}" ]; then
	JUPYTER_TOKEN=$(secret)
	echo "wsbuild-init: generated Jupyter token: $JUPYTER_TOKEN" >&2
fi
export JUPYTER_TOKEN

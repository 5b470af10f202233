# Sourced by wsbuild-init: the VNC password, from VNC_PASSWORD or generated.
if [ -z "${VNC_PASSWORD:-}" ]; then
	VNC_PASSWORD=$(secret)
	echo "wsbuild-init: generated VNC password: $VNC_PASSWORD" >&2
fi
x11vnc -storepasswd "$VNC_PASSWORD" "$WSBUILD_RUN/vncpasswd" >/dev/null 2>&1
chmod 600 "$WSBUILD_RUN/vncpasswd"
unset VNC_PASSWORD

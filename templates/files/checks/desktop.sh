# Check: the image's own X and VNC programs start, as supervisord would start
# them, and the VNC port answers with an RFB greeting. Runs as the user with
# no network but loopback; the image's environment gives the port and session.
WSBUILD_RUN=$(mktemp -d)
export WSBUILD_RUN DISPLAY=:99 VNC_PASSWORD=wsbuild-check
secret() { echo unused; }
# shellcheck source=../init.d/desktop.sh
. /etc/wsbuild/init.d/desktop.sh
/usr/local/lib/wsbuild/desktop-x >"$WSBUILD_RUN/x.log" 2>&1 &
/usr/local/lib/wsbuild/desktop-vnc >"$WSBUILD_RUN/vnc.log" 2>&1 &
# shellcheck disable=SC2046 # one argument per background job
stop() { kill $(jobs -p) 2>/dev/null || true; }
trap stop EXIT
case "$WSBUILD_SESSION" in
xfce) needs="startxfce4 dbus-launch" ;;
*) needs="startlxde dbus-launch" ;;
esac
for s in $needs; do command -v "$s" >/dev/null || { echo "$s is not installed" >&2; exit 1; }; done
port="$WSBUILD_VNC_PORT"
greeting=
for _ in $(seq 150); do
	greeting=$(timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port && head -c 12 <&3" 2>/dev/null || true)
	case "$greeting" in RFB*) break ;; esac
	sleep 0.2
done
case "$greeting" in RFB*) ;; *)
	echo "nothing answered VNC on port $port" >&2
	cat "$WSBUILD_RUN/x.log" "$WSBUILD_RUN/vnc.log" >&2
	exit 1
	;;
esac
xdpyinfo >/dev/null || { echo "the X server on $DISPLAY does not answer" >&2; exit 1; }
echo "VNC answered: $greeting"

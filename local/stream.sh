#!/usr/bin/env bash
# local/stream.sh start|stop <aws-endpoint> <channel> <state-dir> [WxH] [fps]
# make stream / make stop-stream: push an ffmpeg test pattern (burned-in wall
# clock with milliseconds, a 440 Hz tone, 1 s keyframes) into the offline
# stack's RTMP ingest with the channel's real stream key, or stop it.
set -euo pipefail
cmd="${1:?start|stop}" endpoint="${2:?endpoint}" channel="${3:?channel}" dir="${4:?state dir}"
size="${5:-1280x720}" fps="${6:-30}"
enc="${channel//\//%2F}" # a channel ARN has slashes
pidfile="$dir/stream-${channel//[^A-Za-z0-9_-]/_}.pid"
logfile="${pidfile%.pid}.log"

if [[ $cmd == stop ]]; then
  if [[ -f $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    kill "$(cat "$pidfile")"
    rm -f "$pidfile"
    echo "stop-stream: stopped the test stream of $channel (the session ends: Stream End, Session Ended)"
    exit 0
  fi
  rm -f "$pidfile"
  # No test stream from this machine: end a simulated one, if any.
  if out="$(curl -sS --fail-with-body -X POST "$endpoint/_local/streams/$enc/stop" 2>&1)"; then
    echo "stop-stream: ended the simulated stream of $channel: $out"
    exit 0
  fi
  echo "stop-stream: $channel has no test stream (make stream) and no simulated stream: $out" >&2
  exit 1
fi

command -v ffmpeg >/dev/null || { echo "stream: ffmpeg is not installed (Debian/Ubuntu: sudo apt-get install ffmpeg)" >&2; exit 1; }
if [[ -f $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  echo "stream: $channel already has a test stream (pid $(cat "$pidfile")); make stop-stream CHANNEL=$channel first" >&2
  exit 1
fi
field() {
  local out
  # The stack's answer (no such user, no channel yet) or curl's error is shown.
  out="$(curl -sS --fail-with-body "$endpoint/_local/ingest/$enc?field=$1" 2>&1)" || {
    echo "stream: could not get $channel's ingest from $endpoint: ${out//$'\n'/ }" >&2
    echo "        (is make dev running there? has $channel signed in once, so that it has a channel?)" >&2
    exit 1
  }
  echo "$out"
}
url="$(field rtmpUrl)"
playback="$(field playbackUrl)"
font=/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf
[[ -f $font ]] || font=/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf
clock=""
if [[ -f $font ]]; then
  # pts:hms with the local time of day at start as offset: the wall clock,
  # with milliseconds, advancing with the video (ffmpeg -re paces it).
  offset="$(date +'%H %M %S %N' | awk '{printf "%.3f", $1*3600+$2*60+$3+$4/1e9}')"
  clock=",drawtext=fontfile=$font:text='%{pts\\:hms\\:$offset}':x=40:y=40:fontsize=64:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=12"
  label="${channel##*/}"
  label="${label//[^A-Za-z0-9_.-]/}"
  clock+=",drawtext=fontfile=$font:text='onair test stream ($label)':x=40:y=h-80:fontsize=32:fontcolor=white"
else
  echo "stream: no DejaVu font (apt-get install fonts-dejavu-core): no wall clock in the picture" >&2
fi
mkdir -p "$dir"
nohup ffmpeg -hide_banner -loglevel warning -re \
  -f lavfi -i "testsrc2=size=$size:rate=$fps" -f lavfi -i "sine=frequency=440:sample_rate=48000" \
  -vf "format=yuv420p$clock" \
  -c:v libx264 -preset veryfast -tune zerolatency -g "$fps" -keyint_min "$fps" -b:v 2500k -maxrate 2500k -bufsize 2500k \
  -c:a aac -b:a 128k -ac 2 -f flv "$url" >"$logfile" 2>&1 &
pid=$!
echo "$pid" >"$pidfile"
# Up when the playlist answers (the first segment exists).
for _ in $(seq 1 50); do
  if ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$pidfile"
    echo "stream: ffmpeg stopped: $(tail -n 5 "$logfile")" >&2
    exit 1
  fi
  if curl -fsS -o /dev/null "$playback" 2>/dev/null; then
    echo "stream: $channel is live ($size@$fps, 1 s keyframes, ffmpeg pid $pid, log $logfile)"
    echo "        playback $playback"
    # The stop command must find this pid file and stack: name what is not make's default.
    stop="make stop-stream CHANNEL=$channel"
    [[ $endpoint == http://127.0.0.1:4566 ]] || stop+=" AWS_ENDPOINT=$endpoint"
    [[ $dir == .local-data ]] || stop+=" DATA_DIR=$dir"
    echo "        $stop stops it"
    exit 0
  fi
  sleep 0.2
done
kill "$pid" 2>/dev/null || true
rm -f "$pidfile"
echo "stream: no playlist at $playback after 10 s; ffmpeg said: $(tail -n 5 "$logfile")" >&2
exit 1

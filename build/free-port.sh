# Sourced by the scripts that start servers on loopback (test.sh, build/image.sh, benchmarks/http/decisions.sh,
# samples/agent-task/run.sh): free_port prints a free loopback TCP port below the kernel's ephemeral range. A port
# inside that range can be taken, between this check and the server's bind, by the local end of some outgoing
# connection (a fresh-clone run failed so, with "Address already in use").
free_port() {
  local port low=32768
  read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
  (( low > 12000 )) || low=32768
  for port in $(shuf -i 10000-$((low - 1)) -n 50); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

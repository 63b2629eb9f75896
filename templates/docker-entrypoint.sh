#!/bin/sh
# docker-entrypoint.sh: the official consul image's entrypoint steps for the zx agent, for bases
# that have a shell (node:20-slim): `docker run --entrypoint /usr/local/lib/zx/docker-entrypoint.sh`.
# The default entrypoint (the bundle itself, zx-agent.mjs) performs the same steps in JS because
# the offline base image has no shell.
set -e

ZX_DATA_DIR=${CONSUL_DATA_DIR:-/consul/data}
ZX_CONFIG_DIR=${CONSUL_CONFIG_DIR:-/consul/config}

# CONSUL_LOCAL_CONFIG is written verbatim as a config file, like the official image.
if [ -n "$CONSUL_LOCAL_CONFIG" ]; then
  echo "$CONSUL_LOCAL_CONFIG" > "$ZX_CONFIG_DIR/local.json"
fi

# Flags only: treat them as agent flags.
if [ "${1#-}" != "$1" ]; then
  set -- agent "$@"
fi

# The agent subcommand gets the data and config dirs.
if [ "$1" = 'agent' ]; then
  shift
  set -- agent -data-dir="$ZX_DATA_DIR" -config-dir="$ZX_CONFIG_DIR" "$@"
fi

exec node /usr/local/lib/zx/zx-agent.mjs "$@"

# Sourced by run.sh: the address the quick start serves (PORTAL_ADDRESS, as runserver takes it:
# "127.0.0.1:8001", or a port alone) and the one its links, QR codes and printed addresses use
# (SITE_URL). Changing only the port moves both; a SITE_URL that is set is kept as it is.
export PORTAL_ADDRESS="${PORTAL_ADDRESS:-127.0.0.1:8000}"
if [ -z "${SITE_URL:-}" ]; then
  _port="${PORTAL_ADDRESS##*:}"
  _host="${PORTAL_ADDRESS%:*}"
  # A port alone, or every interface (0.0.0.0, ::): this machine's own loopback address.
  case "$_host" in
    "$PORTAL_ADDRESS" | 0.0.0.0 | "[::]" | "") _host=127.0.0.1 ;;
  esac
  export SITE_URL="http://${_host}:${_port}"
  unset _port _host
fi

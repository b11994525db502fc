#!/usr/bin/env bash
# Install the built app folder (dist/Leadline, from packaging/build.py) for the current user:
#   app folder  ~/.local/lib/leadline/          (replaced whole on reinstall)
#   command     ~/.local/bin/leadline           (symlink to the executable)
#   menu entry  ~/.local/share/applications/leadline.desktop (Exec= the absolute path)
#   icons       ~/.local/share/icons/hicolor/{16..512}/apps/leadline.png and scalable/leadline.svg
# Usage: packaging/install-linux.sh [--uninstall]     (PREFIX=/opt/... to install elsewhere)
# The database and settings live in the user's data folders and are never touched here.
set -euo pipefail
cd "$(dirname "$0")/.."

PREFIX="${PREFIX:-$HOME/.local}"
DATA="${XDG_DATA_HOME:-$HOME/.local/share}"
[ "$PREFIX" = "$HOME/.local" ] || DATA="$PREFIX/share"
APP_DIR="$PREFIX/lib/leadline"
BIN="$PREFIX/bin/leadline"
DESKTOP="$DATA/applications/leadline.desktop"
ICONS="$DATA/icons/hicolor"
SIZES="16 32 48 64 128 256 512"

refresh() {
  command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$DATA/applications" || true
  command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$ICONS" 2>/dev/null || true
}

if [ "${1:-}" = "--uninstall" ]; then
  rm -rf "$APP_DIR"
  rm -f "$BIN" "$DESKTOP" "$ICONS/scalable/apps/leadline.svg"
  for size in $SIZES; do rm -f "$ICONS/${size}x${size}/apps/leadline.png"; done
  refresh
  echo "Leadline removed (your database and settings are kept)."
  exit 0
fi

if [ ! -x dist/Leadline/Leadline ]; then
  echo "dist/Leadline/Leadline not found: build it first with .venv/bin/python packaging/build.py" >&2
  exit 1
fi

rm -rf "$APP_DIR"
mkdir -p "$(dirname "$APP_DIR")" "$(dirname "$BIN")"
cp -a dist/Leadline "$APP_DIR"
ln -sfn "$APP_DIR/Leadline" "$BIN"

# Exec= gets the absolute path: a desktop session's PATH often lacks ~/.local/bin.
mkdir -p "$(dirname "$DESKTOP")"
sed "s|^Exec=.*|Exec=\"$APP_DIR/Leadline\"|" resources/leadline.desktop > "$DESKTOP"
chmod 644 "$DESKTOP"

for size in $SIZES; do
  install -Dm644 "resources/icons/leadline-$size.png" "$ICONS/${size}x${size}/apps/leadline.png"
done
install -Dm644 resources/icons/leadline.svg "$ICONS/scalable/apps/leadline.svg"
refresh

echo "Installed Leadline to $APP_DIR"
echo "  command:   $BIN"
echo "  menu:      $DESKTOP"
case ":$PATH:" in *":$(dirname "$BIN"):"*) ;; *) echo "  note: $(dirname "$BIN") is not on your PATH";; esac

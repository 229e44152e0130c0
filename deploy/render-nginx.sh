#!/bin/sh
# Renders deploy/nginx/tousvoisins.conf with the TV_* variables of the environment (only
# those: nginx's own $variables are left alone) and prints it.
#   TV_SERVER_NAME=tousvoisins.example TV_UPSTREAM=unix:/run/tousvoisins/gunicorn.sock \
#     deploy/render-nginx.sh > /etc/nginx/sites-available/tousvoisins
set -eu
: "${TV_SERVER_NAME:?the public host name(s)}"
export TV_LISTEN="${TV_LISTEN:-80}"
export TV_PURGE_LISTEN="${TV_PURGE_LISTEN:-127.0.0.1:8008}"
export TV_UPSTREAM="${TV_UPSTREAM:-unix:/run/tousvoisins/gunicorn.sock}"
export TV_STATIC_ROOT="${TV_STATIC_ROOT:-/srv/tousvoisins/static}"
export TV_MEDIA_ROOT="${TV_MEDIA_ROOT:-/srv/tousvoisins/media}"
export TV_CACHE_DIR="${TV_CACHE_DIR:-/var/cache/nginx/tousvoisins}"
export TV_SERVER_NAME
envsubst '${TV_SERVER_NAME} ${TV_LISTEN} ${TV_PURGE_LISTEN} ${TV_UPSTREAM} ${TV_STATIC_ROOT} ${TV_MEDIA_ROOT} ${TV_CACHE_DIR}' \
  < "$(dirname "$0")/nginx/tousvoisins.conf"

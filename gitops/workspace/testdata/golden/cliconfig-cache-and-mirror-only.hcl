# Written by tfdrift for one job (gitops/workspace).
disable_checkpoint = true
plugin_cache_dir = "/var/cache/tfdrift/plugins"

provider_installation {
  filesystem_mirror {
    path = "/opt/mirror"
  }
}

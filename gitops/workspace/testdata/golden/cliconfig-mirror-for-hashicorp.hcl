# Written by tfdrift for one job (gitops/workspace).
disable_checkpoint = true

provider_installation {
  filesystem_mirror {
    path = "/opt/mirror"
    include = ["registry.terraform.io/hashicorp/*", "example.com/acme/*"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/*", "example.com/acme/*"]
  }
}

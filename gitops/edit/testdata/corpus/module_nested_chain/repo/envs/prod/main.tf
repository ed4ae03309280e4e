locals {
  app_size = "m5.large"
}

module "app" {
  source = "../../modules/app"
  size   = local.app_size
}

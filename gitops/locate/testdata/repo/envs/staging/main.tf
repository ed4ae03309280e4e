module "network" {
  source = "../../modules/network"

  cidr_block = "10.9.0.0/16"
  name       = "staging"
}

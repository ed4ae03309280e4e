module "blue" {
  source = "./modules/net"
  name   = "blue"
}

module "green" {
  source = "./modules/net"
  name   = "green"
}

module "net" {
  source = "./modules/net"
  name   = "prod-web"
}

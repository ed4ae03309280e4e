module "net" {
  source        = "./modules/net"
  name          = "prod-web"
  allowed_cidrs = ["10.0.0.0/8", "172.16.0.0/12"]
}

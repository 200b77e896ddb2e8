# Address plan (vpc_cidr 10.40.0.0/16, one of each per availability zone):
#   public    10.40.0.0/24, 10.40.1.0/24, ...    load balancers and NAT gateways only
#   nodes     10.40.16.0/20, 10.40.32.0/20, ...  EKS nodes; /20 because the VPC CNI gives every pod a VPC address
#   database  10.40.200.0/24, ...                RDS, no route out of the VPC
#   cache     10.40.210.0/24, ...                ElastiCache, no route out of the VPC

resource "aws_vpc" "main" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = { Name = local.name }
}

# The default security group allows all traffic between its members: adopt it and leave it with no
# rules, so nothing that forgets to name a security group gets it.
resource "aws_default_security_group" "default" {
  vpc_id = aws_vpc.main.id
}

resource "aws_internet_gateway" "main" {
  vpc_id = aws_vpc.main.id

  tags = { Name = local.name }
}

resource "aws_subnet" "public" {
  count = var.az_count

  vpc_id            = aws_vpc.main.id
  availability_zone = local.azs[count.index]
  cidr_block        = cidrsubnet(var.vpc_cidr, 8, count.index)

  tags = {
    Name                                  = "${local.name}-public-${local.azs[count.index]}"
    Tier                                  = "public"
    "kubernetes.io/role/elb"              = "1"
    "kubernetes.io/cluster/${local.name}" = "shared"
  }
}

resource "aws_subnet" "nodes" {
  count = var.az_count

  vpc_id            = aws_vpc.main.id
  availability_zone = local.azs[count.index]
  cidr_block        = cidrsubnet(var.vpc_cidr, 4, count.index + 1)

  tags = {
    Name                                  = "${local.name}-nodes-${local.azs[count.index]}"
    Tier                                  = "private"
    "kubernetes.io/role/internal-elb"     = "1"
    "kubernetes.io/cluster/${local.name}" = "shared"
  }
}

resource "aws_subnet" "database" {
  count = var.az_count

  vpc_id            = aws_vpc.main.id
  availability_zone = local.azs[count.index]
  cidr_block        = cidrsubnet(var.vpc_cidr, 8, 200 + count.index)

  tags = {
    Name = "${local.name}-database-${local.azs[count.index]}"
    Tier = "database"
  }
}

resource "aws_subnet" "cache" {
  count = var.az_count

  vpc_id            = aws_vpc.main.id
  availability_zone = local.azs[count.index]
  cidr_block        = cidrsubnet(var.vpc_cidr, 8, 210 + count.index)

  tags = {
    Name = "${local.name}-cache-${local.azs[count.index]}"
    Tier = "cache"
  }
}

resource "aws_eip" "nat" {
  count = var.single_nat_gateway ? 1 : var.az_count

  domain = "vpc"

  tags = { Name = "${local.name}-nat-${count.index}" }

  depends_on = [aws_internet_gateway.main]
}

resource "aws_nat_gateway" "main" {
  count = var.single_nat_gateway ? 1 : var.az_count

  allocation_id = aws_eip.nat[count.index].id
  subnet_id     = aws_subnet.public[count.index].id

  tags = { Name = "${local.name}-nat-${local.azs[count.index]}" }

  depends_on = [aws_internet_gateway.main]
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main.id
  }

  tags = { Name = "${local.name}-public" }
}

resource "aws_route_table_association" "public" {
  count = var.az_count

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

# Nodes pull images and reach AWS APIs through the NAT gateway of their own zone (or the single one).
resource "aws_route_table" "nodes" {
  count = var.az_count

  vpc_id = aws_vpc.main.id

  route {
    cidr_block     = "0.0.0.0/0"
    nat_gateway_id = aws_nat_gateway.main[var.single_nat_gateway ? 0 : count.index].id
  }

  tags = { Name = "${local.name}-nodes-${local.azs[count.index]}" }
}

resource "aws_route_table_association" "nodes" {
  count = var.az_count

  subnet_id      = aws_subnet.nodes[count.index].id
  route_table_id = aws_route_table.nodes[count.index].id
}

# The database and cache subnets only answer the nodes: a route table with the VPC's local route
# and nothing else, so even a misconfigured instance has no way out.
resource "aws_route_table" "isolated" {
  vpc_id = aws_vpc.main.id

  tags = { Name = "${local.name}-isolated" }
}

resource "aws_route_table_association" "database" {
  count = var.az_count

  subnet_id      = aws_subnet.database[count.index].id
  route_table_id = aws_route_table.isolated.id
}

resource "aws_route_table_association" "cache" {
  count = var.az_count

  subnet_id      = aws_subnet.cache[count.index].id
  route_table_id = aws_route_table.isolated.id
}

# ---------------------------------------------------------------------------------------------
# Security groups. Rules are separate resources (one per rule) so a change shows as one rule
# added or removed in the plan, and so the tests can read each source and port.
# ---------------------------------------------------------------------------------------------

# The only group open to the internet. The web app's Ingress is served by ingress-nginx (class
# nginx, TLS ended there with tb-erp-tls); its Service of type LoadBalancer gets an NLB from the AWS
# Load Balancer Controller with this group attached (annotation
# service.beta.kubernetes.io/aws-load-balancer-security-groups, README.md).
resource "aws_security_group" "load_balancer" {
  name        = "${local.name}-load-balancer"
  description = "Internet-facing load balancer: HTTPS, and HTTP only to redirect to HTTPS"
  vpc_id      = aws_vpc.main.id

  tags = { Name = "${local.name}-load-balancer" }
}

resource "aws_vpc_security_group_ingress_rule" "load_balancer_https_ipv4" {
  security_group_id = aws_security_group.load_balancer.id
  description       = "HTTPS from anywhere"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_ingress_rule" "load_balancer_http_ipv4" {
  security_group_id = aws_security_group.load_balancer.id
  description       = "HTTP from anywhere, redirected to HTTPS by ingress-nginx"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = "0.0.0.0/0"
}

# The load balancer forwards to the ingress controller's pods (target type ip) on the same ports.
resource "aws_vpc_security_group_egress_rule" "load_balancer_to_ingress" {
  for_each = toset(["80", "443"])

  security_group_id            = aws_security_group.load_balancer.id
  description                  = "To the ingress controller's pods"
  ip_protocol                  = "tcp"
  from_port                    = tonumber(each.value)
  to_port                      = tonumber(each.value)
  referenced_security_group_id = aws_security_group.node.id
}

# Attached to every node (and so to every pod, which shares its node's groups under the VPC CNI)
# next to the cluster security group that EKS manages.
resource "aws_security_group" "node" {
  name        = "${local.name}-node"
  description = "EKS nodes: the source the database and Redis accept"
  vpc_id      = aws_vpc.main.id

  tags = { Name = "${local.name}-node" }
}

resource "aws_vpc_security_group_ingress_rule" "node_from_load_balancer" {
  for_each = toset(["80", "443"])

  security_group_id            = aws_security_group.node.id
  description                  = "The load balancer to the ingress controller; the services are not behind it"
  ip_protocol                  = "tcp"
  from_port                    = tonumber(each.value)
  to_port                      = tonumber(each.value)
  referenced_security_group_id = aws_security_group.load_balancer.id
}

resource "aws_vpc_security_group_egress_rule" "node_all_ipv4" {
  security_group_id = aws_security_group.node.id
  description       = "Nodes reach the registry, AWS APIs and the SMTP relay through the NAT gateway"
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_security_group" "database" {
  name        = "${local.name}-database"
  description = "PostgreSQL primary and replica: from the EKS nodes only"
  vpc_id      = aws_vpc.main.id

  tags = { Name = "${local.name}-database" }
}

resource "aws_vpc_security_group_ingress_rule" "database_from_nodes" {
  security_group_id            = aws_security_group.database.id
  description                  = "PostgreSQL from the EKS nodes"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.node.id
}

resource "aws_security_group" "redis" {
  name        = "${local.name}-redis"
  description = "ElastiCache Redis: from the EKS nodes only"
  vpc_id      = aws_vpc.main.id

  tags = { Name = "${local.name}-redis" }
}

resource "aws_vpc_security_group_ingress_rule" "redis_from_nodes" {
  security_group_id            = aws_security_group.redis.id
  description                  = "Redis (TLS) from the EKS nodes"
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  referenced_security_group_id = aws_security_group.node.id
}

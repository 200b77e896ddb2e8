/** What `python -m tb_devstack.ephemeral` prints: where the ERP under test runs. */
export interface Erp {
  web_url: string;
  services: Record<string, string>;
  logins: { role: string; email: string; password: string }[];
  mail_dir: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    erp: Erp;
  }
}

import type postgres from 'postgres';

/** moduleRole names the Postgres role a module's queries run as. */
export const moduleRole = (module: string) => `carve_${module}`;

const INSUFFICIENT_PRIVILEGE = '42501';

/**
 * confineToSchema creates the module's role if it is missing and grants it its own schema
 * and nothing else. Roles are shared by the whole cluster, so racing creators are
 * expected. A user without the right to create roles is not an error: the module then
 * stays scoped by its search_path only, which the handle reports.
 */
export async function confineToSchema(sql: postgres.TransactionSql, schema: string, role: string): Promise<void> {
  await sql
    .savepoint(async (sp) => {
      await sp.unsafe(`do $$ begin
          create role "${role}" nologin;
        exception when duplicate_object or unique_violation then null;
        end $$`);
      const [me] = await sp<{ super: boolean; member: boolean }[]>`
        select rolsuper as super, pg_has_role(current_user, ${role}, 'MEMBER') as member
        from pg_roles where rolname = current_user`;
      if (!me?.super && !me?.member) await sp.unsafe(`grant "${role}" to current_user`);
      await sp.unsafe(`grant usage on schema "${schema}" to "${role}"`);
      await sp.unsafe(`grant select, insert, update, delete on all tables in schema "${schema}" to "${role}"`);
      await sp.unsafe(`grant usage, select, update on all sequences in schema "${schema}" to "${role}"`);
    })
    .catch((err: { code?: string }) => {
      if (err.code !== INSUFFICIENT_PRIVILEGE) throw err;
    });
}

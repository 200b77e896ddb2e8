import "server-only";
import type { Option } from "@/components/employees/employee-form";
import type { ServiceContext } from "@/lib/services/http";
import { displayName, employeeService, type RoleInfo } from "@/lib/services/employee";

/** What the employee form offers: the departments, the possible managers, the roles. */
export async function formOptions(
  context: ServiceContext,
): Promise<{ departments: Option[]; managers: Option[]; roles: RoleInfo[] }> {
  const [departments, active, onLeave, roles] = await Promise.all([
    employeeService.allDepartments(context),
    employeeService.list({ status: "active", limit: 200, sort: "last_name" }, context),
    employeeService.list({ status: "on_leave", limit: 200, sort: "last_name" }, context),
    employeeService.roles(context),
  ]);
  const managers = [...active.items, ...onLeave.items]
    .map((person) => ({ id: person.id, name: `${displayName(person)} (${person.email})` }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return {
    departments: departments.map((department) => ({ id: department.id, name: department.name })),
    managers,
    roles,
  };
}

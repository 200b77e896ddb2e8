import { Loading } from "@repo/ui";

export default function AppLoading() {
  return <Loading />;
}

// What the connection's provider declares in Rust: capabilities, forms, products. Read
// once per connection (the query is dropped when the profile changes).
import { useQuery } from "@tanstack/react-query";
import type { ProviderSpec } from "./bindings/ProviderSpec";
import { commands } from "./ipc";

export function useProviderSpec(): ProviderSpec | undefined {
  return useQuery({ queryKey: ["provider-spec"], queryFn: commands.providerSpec, staleTime: Infinity }).data;
}

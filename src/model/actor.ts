/** Who asked, from which surface: used for audit trails, approvals and access policy. */
export interface Actor {
  surface: 'cli' | 'slack' | 'teams' | 'scheduler';
  id: string;
  name?: string;
}

/**
 * Who may do what to a chat's people, the same on every surface. Anything that changes the chat for
 * everyone (joining or hiding people, forgetting) is for the chat's admins; naming, correcting one face
 * and looking are for every member. Surfaces check it for the user who pressed the button or sent the
 * command, at the moment they do it (not for whoever asked the question the button belongs to).
 */
export type PeopleAction =
  'name' | 'split' | 'photos' | 'merge' | 'unmerge' | 'hide' | 'forget-person' | 'forget-all' | 'forget-me';

export type Role = 'member' | 'admin';

export const WHO_MAY: Readonly<Record<PeopleAction, Role>> = {
  name: 'member',
  split: 'member',
  photos: 'member',
  // A member may always take their own face out of the chat (consent), through a selfie.
  'forget-me': 'member',
  merge: 'admin',
  unmerge: 'admin',
  hide: 'admin',
  'forget-person': 'admin',
  'forget-all': 'admin',
};

export function mayDo(action: PeopleAction, role: Role): boolean {
  return WHO_MAY[action] === 'member' || role === 'admin';
}

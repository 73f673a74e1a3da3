// Institutions seeded when the list is first read (Bulgaria's usual partners); admins adapt the list.
import type { InstitutionInput } from '@helpline/shared';

export const DEFAULT_INSTITUTIONS: InstitutionInput[] = [
  { name: 'Cybercrime Directorate (GDBOP), Ministry of Interior', kind: 'police' },
  { name: 'Local police', kind: 'police' },
  { name: 'State Agency for Child Protection', kind: 'child-protection' },
  { name: 'Social Assistance Agency: Child Protection Department', kind: 'social-services' },
  { name: 'Ministry of Education and Science', kind: 'ministry' },
  { name: 'Ministry of Health', kind: 'health' },
  { name: 'Emergency medical care (112)', kind: 'health' },
  { name: 'School psychologist / pedagogical counsellor', kind: 'education' },
  { name: 'National Child Helpline 116 111', kind: 'ngo' },
];

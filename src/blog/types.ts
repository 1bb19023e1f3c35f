import type { Box, GpsPoint } from '../core/types.js';

/** A place from the offline reverse geocoder. */
export interface Place {
  /** Nearest populated place (GeoNames, ≥ 1000 people). */
  readonly city: string;
  /** Neighbourhood when the nearest named place is a section of a city (GeoNames PPLX). */
  readonly district: string | null;
  readonly country: string;
  readonly countryCode: string;
  /** Great-circle distance from the photo to the city's point, km. */
  readonly distanceKm: number;
}

export interface FactPerson {
  readonly id: string;
  /** What the post calls them: the chat-given name, else "Person 3". */
  readonly label: string;
  readonly named: boolean;
  readonly photoIds: readonly string[];
  readonly faceCount: number;
  readonly representative: { readonly photoId: string; readonly box: Box };
}

/** A kind of scene object and how many of it one photo shows (score at or above the mention threshold). */
export interface ObjectCount {
  /** COCO class name in English, e.g. "dog", "boat", "dining table". */
  readonly label: string;
  readonly count: number;
}

export interface FactPhoto {
  /** Short id the post cites: p1, p2, … in time order. */
  readonly id: string;
  readonly path: string;
  /** ISO time used for ordering (EXIF with offset, else message time), or null. */
  readonly time: string | null;
  readonly timeSource: 'exif' | 'message' | 'none';
  /** The camera's own time (EXIF, with its offset when recorded), also when it is not used. */
  readonly cameraTime: string | null;
  /** The camera's clock is years away from when the album was sent: placed by its send time instead. */
  readonly clockOff: boolean;
  /** When the chat message carrying it was sent (ISO), or null outside chats. */
  readonly sentAt: string | null;
  /** First name of whoever sent it, or null. */
  readonly sender: string | null;
  /** The message's caption, cleaned (no commands, links or mentions), or null. */
  readonly caption: string | null;
  /** Scene objects other than people, most frequent first. */
  readonly objects: readonly ObjectCount[];
  /** People the object detector sees (bodies, also from behind), which may exceed the faces found. */
  readonly figures: number;
  readonly gps: GpsPoint | null;
  readonly place: Place | null;
  /** Person ids in this photo, left to right. */
  readonly people: readonly string[];
  /** Faces that belong to nobody (strangers, too poor to group). */
  readonly strangerFaces: number;
  readonly group: boolean;
  /** Id of the best shot of the burst this photo belongs to (itself when it is the best or alone). */
  readonly bestOfBurst: string;
}

export interface Moment {
  readonly id: string;
  readonly photoIds: readonly string[];
  readonly start: string | null;
  readonly end: string | null;
  /** The most common place of its photos. */
  readonly place: Place | null;
  readonly people: readonly string[];
  /** Scene objects over the moment's photos: per class, in how many photos it appears, most first. */
  readonly objects: readonly ObjectCount[];
}

export interface Companions {
  readonly a: string;
  readonly b: string;
  readonly photoIds: readonly string[];
}

/** Everything the writers may say. Nothing outside these facts may appear in a post. */
export interface AlbumFacts {
  readonly photos: readonly FactPhoto[];
  readonly moments: readonly Moment[];
  readonly people: readonly FactPerson[];
  readonly together: readonly Companions[];
  readonly failures: readonly { readonly path: string; readonly code: string; readonly message: string }[];
  /** The album's dates: camera times when any photo has one, else send times; never stretched by either. */
  readonly span: { readonly start: string | null; readonly end: string | null };
  /** Who sent the photos (first names), most photos first. */
  readonly senders: readonly string[];
  /** The chat's language (BCP 47 primary tag, e.g. "en", "de") the post is written in. */
  readonly language: string;
  /** Who reads the post: a chat (commands make sense) or a reader of the CLI's page. */
  readonly audience: 'chat' | 'reader';
}

export interface BlogSection {
  readonly heading: string;
  readonly text: string;
  /** Photo ids (p1, …) shown with this section, in order. */
  readonly photos: readonly string[];
  /** Labels of the people the text speaks of. */
  readonly people: readonly string[];
  /** Short caption per cited photo id. */
  readonly captions: Readonly<Record<string, string>>;
}

export interface BlogPost {
  readonly title: string;
  readonly intro: string;
  readonly sections: readonly BlogSection[];
  readonly closing: string;
  readonly writer: 'offline' | 'model';
  /** One line for an album of 1–2 photos: the intro is the whole text, without title or headings. */
  readonly short?: boolean;
}

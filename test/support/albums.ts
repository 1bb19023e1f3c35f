/**
 * Albums of fixture photos (paths under fixtures/, see ../shared/README.md) that the queue, bot and
 * service tests send, grouped by who is in them so each test states the people it expects.
 */
export const FR = 'face_recognition/examples';
export const KNN = 'face_recognition/examples/knn_examples';

export const OBAMA_PHOTOS = [
  `${FR}/obama.jpg`,
  `${FR}/obama2.jpg`,
  'face_recognition/tests/test_images/obama3.jpg',
] as const;
export const BIDEN_PHOTOS = [`${FR}/biden.jpg`, `${KNN}/train/biden/biden2.jpg`] as const;
export const KIT_PHOTOS = [
  `${KNN}/train/kit_harington/john1.jpeg`,
  `${KNN}/train/kit_harington/john2.jpeg`,
] as const;
export const ROSE_PHOTOS = [
  `${KNN}/train/rose_leslie/img1.jpg`,
  `${KNN}/train/rose_leslie/img2.jpg`,
] as const;
/** A photo without a face. */
export const NO_FACE_PHOTO = 'compreface/017_0.jpg';

/** 8 photos, in this order: 1-3 Obama, 4-5 Biden, 6-7 Kit Harington, 8 nobody. */
export const PEOPLE_ALBUM: readonly string[] = [
  ...OBAMA_PHOTOS,
  ...BIDEN_PHOTOS,
  ...KIT_PHOTOS,
  NO_FACE_PHOTO,
];

/** 10 photos: Obama ×3, Biden ×2, Kit Harington ×2, Rose Leslie ×2, then Obama and Biden together. */
export const FOUR_PEOPLE_ALBUM: readonly string[] = [
  ...OBAMA_PHOTOS,
  ...BIDEN_PHOTOS,
  ...KIT_PHOTOS,
  ...ROSE_PHOTOS,
  `${KNN}/test/obama_and_biden.jpg`,
];

// The synthetic store's category tree, in REES46's `group.sub.leaf` category_code style. Titles are
// built from words that belong to their category, so that a text model sees "red cotton shirt"
// near other shirts and far from "cordless hammer drill": embedding work needs titles that mean
// something, not random tokens. A few words carry a '"' or a ',' on purpose, so the CSV writer and
// every reader must deal with quoted fields as real exports force them to.

export interface CategorySpec {
  /** REES46-style category_code. */
  code: string;
  /** Top-level group; brands are shared within a group. */
  group: string;
  /** Title = one word (possibly '') from each slot, in order, joined by spaces. */
  slots: readonly (readonly string[])[];
  /** Median item price in the store's currency, and the spread of log-prices around it. */
  medianPrice: number;
  priceSigma: number;
}

const COLORS = ['black', 'white', 'red', 'navy', 'grey', 'green', 'beige', 'blue', 'pink', 'brown'];
const DEVICE_COLORS = ['black', 'white', 'silver', 'graphite', 'blue', 'gold'];
const WOODS = ['oak', 'walnut', 'pine', 'white', 'grey', 'black'];

export const BRANDS: Readonly<Record<string, readonly string[]>> = {
  electronics: ['samsung', 'apple', 'xiaomi', 'huawei', 'sony', 'lg', 'jbl', 'oppo'],
  computers: ['lenovo', 'hp', 'asus', 'acer', 'dell', 'logitech', 'msi'],
  appliances: ['bosch', 'philips', 'tefal', 'delonghi', 'electrolux', 'indesit', 'redmond'],
  apparel: ['nike', 'adidas', 'levis', 'puma', 'reebok', 'zara', 'tommy'],
  furniture: ['ikea', 'hoff', 'askona', 'stolline', 'mebelson'],
  kids: ['lego', 'chicco', 'hasbro', 'mattel', 'happybaby', 'tutis'],
  sport: ['stern', 'trek', 'cube', 'wilson', 'head', 'torneo'],
  accessories: ['samsonite', 'tommy', 'guess', 'fossil', 'wenger'],
  construction: ['bosch', 'makita', 'dewalt', 'metabo', 'hammer', 'interskol'],
  auto: ['pioneer', 'kenwood', 'xiaomi', 'neoline', 'playme'],
  country_yard: ['husqvarna', 'champion', 'patriot', 'makita', 'gardena'],
};

export const TAXONOMY: readonly CategorySpec[] = [
  {
    code: 'electronics.smartphone',
    group: 'electronics',
    slots: [['', 'pro', 'lite', 'max', 'mini'], DEVICE_COLORS, ['64gb', '128gb', '256gb', '512gb'], ['smartphone', 'phone', '5g smartphone']],
    medianPrice: 300,
    priceSigma: 0.7,
  },
  {
    code: 'electronics.audio.headphone',
    group: 'electronics',
    slots: [
      ['wireless', 'wired', 'bluetooth', 'noise cancelling'],
      DEVICE_COLORS,
      ['in-ear earbuds', 'over-ear headphones', 'on-ear headphones', 'sport earphones'],
    ],
    medianPrice: 60,
    priceSigma: 0.8,
  },
  {
    code: 'electronics.video.tv',
    group: 'electronics',
    slots: [
      ['32"', '43"', '50"', '55"', '65"'],
      ['full hd', '4k uhd', 'qled', 'oled'],
      ['smart tv', 'led tv', 'android tv'],
    ],
    medianPrice: 450,
    priceSigma: 0.6,
  },
  {
    code: 'electronics.clocks',
    group: 'electronics',
    slots: [DEVICE_COLORS, ['', 'gps', 'lte', 'amoled'], ['smartwatch', 'fitness tracker', 'sport watch']],
    medianPrice: 120,
    priceSigma: 0.7,
  },
  {
    code: 'electronics.tablet',
    group: 'electronics',
    slots: [['8"', '10.1"', '11"', '12.9"'], DEVICE_COLORS, ['32gb', '64gb', '128gb'], ['tablet', 'wi-fi tablet', 'lte tablet']],
    medianPrice: 250,
    priceSigma: 0.6,
  },
  {
    code: 'computers.notebook',
    group: 'computers',
    slots: [
      ['14"', '15.6"', '16"', '17.3"'],
      ['core i5', 'core i7', 'ryzen 5', 'ryzen 7'],
      ['8gb ram', '16gb ram', '32gb ram'],
      ['laptop', 'gaming laptop', 'ultrabook'],
    ],
    medianPrice: 800,
    priceSigma: 0.5,
  },
  {
    code: 'computers.peripherals.keyboard',
    group: 'computers',
    slots: [
      ['mechanical', 'wireless', 'membrane', 'low-profile'],
      ['rgb', 'backlit', '', 'silent'],
      ['keyboard', 'gaming keyboard', 'keyboard and mouse set'],
    ],
    medianPrice: 45,
    priceSigma: 0.7,
  },
  {
    code: 'computers.peripherals.mouse',
    group: 'computers',
    slots: [['wireless', 'wired', 'bluetooth', 'ergonomic'], DEVICE_COLORS, ['optical mouse', 'gaming mouse', 'vertical mouse']],
    medianPrice: 25,
    priceSigma: 0.7,
  },
  {
    code: 'appliances.kitchen.refrigerators',
    group: 'appliances',
    slots: [
      ['two-door', 'side-by-side', 'single-door', 'french door'],
      ['no frost', 'inverter', ''],
      ['stainless steel', 'white', 'black'],
      ['refrigerator', 'fridge freezer'],
    ],
    medianPrice: 600,
    priceSigma: 0.5,
  },
  {
    code: 'appliances.kitchen.coffee_machine',
    group: 'appliances',
    slots: [
      ['espresso', 'capsule', 'drip', 'bean-to-cup'],
      ['black', 'silver', 'red', 'white'],
      ['coffee machine', 'coffee maker'],
    ],
    medianPrice: 180,
    priceSigma: 0.8,
  },
  {
    code: 'appliances.environment.vacuum',
    group: 'appliances',
    slots: [
      ['cordless', 'robot', 'bagless', 'handheld'],
      ['', 'cyclonic', 'wet and dry'],
      ['vacuum cleaner', 'stick vacuum'],
    ],
    medianPrice: 150,
    priceSigma: 0.7,
  },
  {
    code: 'appliances.kitchen.kettle',
    group: 'appliances',
    slots: [
      ['glass', 'stainless steel', 'plastic', 'ceramic'],
      ['1.7l', '1.5l', '1l'],
      ['electric kettle', 'kettle, temperature control'],
    ],
    medianPrice: 30,
    priceSigma: 0.6,
  },
  {
    code: 'apparel.shirt',
    group: 'apparel',
    slots: [
      COLORS,
      ['cotton', 'linen', 'flannel', 'denim', 'oxford'],
      ['', 'slim fit', 'long sleeve', 'short sleeve'],
      ['shirt', 'button-down shirt', 'polo shirt'],
    ],
    medianPrice: 35,
    priceSigma: 0.6,
  },
  {
    code: 'apparel.shoes',
    group: 'apparel',
    slots: [COLORS, ['leather', 'suede', 'mesh', 'canvas'], ['running shoes', 'sneakers', 'loafers', 'ankle boots']],
    medianPrice: 80,
    priceSigma: 0.6,
  },
  {
    code: 'apparel.jeans',
    group: 'apparel',
    slots: [
      ['dark blue', 'light blue', 'black', 'grey'],
      ['skinny', 'straight', 'relaxed', 'bootcut'],
      ['stretch denim jeans', 'jeans', 'denim trousers'],
    ],
    medianPrice: 50,
    priceSigma: 0.5,
  },
  {
    code: 'apparel.jacket',
    group: 'apparel',
    slots: [COLORS, ['waterproof', 'quilted', 'fleece', 'leather'], ['hooded jacket', 'parka', 'bomber jacket', 'rain jacket']],
    medianPrice: 110,
    priceSigma: 0.6,
  },
  {
    code: 'apparel.dress',
    group: 'apparel',
    slots: [COLORS, ['floral', 'silk', 'knit', 'cotton'], ['midi dress', 'maxi dress', 'summer dress', 'evening dress']],
    medianPrice: 60,
    priceSigma: 0.6,
  },
  {
    code: 'furniture.living_room.sofa',
    group: 'furniture',
    slots: [
      ['grey', 'beige', 'blue', 'green', 'brown'],
      ['velvet', 'fabric', 'leather'],
      ['sofa, 3-seat', 'corner sofa', 'sofa bed', 'loveseat'],
    ],
    medianPrice: 700,
    priceSigma: 0.5,
  },
  {
    code: 'furniture.bedroom.bed',
    group: 'furniture',
    slots: [WOODS, ['double', 'single', 'king size', 'queen size'], ['bed frame', 'storage bed', 'bunk bed']],
    medianPrice: 400,
    priceSigma: 0.5,
  },
  {
    code: 'furniture.kitchen.table',
    group: 'furniture',
    slots: [WOODS, ['extendable', 'round', 'rectangular', 'folding'], ['dining table', 'kitchen table', 'bar table']],
    medianPrice: 250,
    priceSigma: 0.5,
  },
  {
    code: 'furniture.living_room.chair',
    group: 'furniture',
    slots: [WOODS, ['upholstered', 'swivel', 'stackable', 'rocking'], ['armchair', 'office chair', 'dining chair']],
    medianPrice: 120,
    priceSigma: 0.6,
  },
  {
    code: 'kids.toys',
    group: 'kids',
    slots: [
      ['wooden', 'plush', 'electronic', 'magnetic'],
      ['building blocks', 'teddy bear', 'toy train set', 'puzzle', 'doll house'],
    ],
    medianPrice: 25,
    priceSigma: 0.8,
  },
  {
    code: 'kids.carriage',
    group: 'kids',
    slots: [
      ['grey', 'navy', 'black', 'beige'],
      ['3-in-1', 'lightweight', 'all-terrain', 'twin'],
      ['stroller', 'pram', 'travel system'],
    ],
    medianPrice: 300,
    priceSigma: 0.6,
  },
  {
    code: 'sport.bicycle',
    group: 'sport',
    slots: [
      ['20"', '24"', '26"', '27.5"', '29"'],
      ['mountain', 'road', 'city', 'folding', 'kids'],
      ['bike', 'bicycle', '21-speed bike'],
    ],
    medianPrice: 350,
    priceSigma: 0.6,
  },
  {
    code: 'sport.tennis',
    group: 'sport',
    slots: [
      ['graphite', 'aluminium', 'carbon', 'junior'],
      ['tennis racket', 'tennis balls, 4-pack', 'squash racket', 'badminton set'],
    ],
    medianPrice: 60,
    priceSigma: 0.8,
  },
  {
    code: 'accessories.bag',
    group: 'accessories',
    slots: [COLORS, ['leather', 'canvas', 'nylon'], ['backpack', 'tote bag', 'crossbody bag', 'travel suitcase']],
    medianPrice: 70,
    priceSigma: 0.7,
  },
  {
    code: 'accessories.wallet',
    group: 'accessories',
    slots: [COLORS, ['leather', 'vegan leather', 'rfid-blocking'], ['wallet', 'card holder', 'coin purse']],
    medianPrice: 30,
    priceSigma: 0.6,
  },
  {
    code: 'construction.tools.drill',
    group: 'construction',
    slots: [
      ['cordless', '18v', '12v', 'brushless'],
      ['', 'hammer', 'impact', 'right-angle'],
      ['drill', 'drill driver', 'rotary hammer'],
    ],
    medianPrice: 110,
    priceSigma: 0.6,
  },
  {
    code: 'construction.tools.saw',
    group: 'construction',
    slots: [
      ['cordless', 'electric', 'compact'],
      ['circular saw', 'jigsaw', 'mitre saw', 'reciprocating saw'],
    ],
    medianPrice: 130,
    priceSigma: 0.6,
  },
  {
    code: 'auto.accessories.player',
    group: 'auto',
    slots: [
      ['1-din', '2-din', '7" touchscreen'],
      ['bluetooth', 'usb', 'carplay'],
      ['car stereo', 'car multimedia player'],
    ],
    medianPrice: 90,
    priceSigma: 0.6,
  },
  {
    code: 'auto.accessories.videoregister',
    group: 'auto',
    slots: [
      ['full hd', '2k', '4k'],
      ['dual-lens', 'wide-angle', 'night vision'],
      ['dash cam', 'car dvr'],
    ],
    medianPrice: 70,
    priceSigma: 0.6,
  },
  {
    code: 'country_yard.lawn_mower',
    group: 'country_yard',
    slots: [
      ['petrol', 'electric', 'cordless', 'robotic'],
      ['self-propelled', 'push', ''],
      ['lawn mower', 'grass trimmer'],
    ],
    medianPrice: 250,
    priceSigma: 0.6,
  },
];

/**
 * Leaves in an order that alternates between groups, so that asking for the first few categories
 * still spans several groups (8 categories are 8 different departments, not 5 phones and 3 TVs).
 */
export function interleavedTaxonomy(): CategorySpec[] {
  const groups = new Map<string, CategorySpec[]>();
  for (const c of TAXONOMY) {
    const list = groups.get(c.group) ?? [];
    list.push(c);
    groups.set(c.group, list);
  }
  const out: CategorySpec[] = [];
  const queues = [...groups.values()];
  for (let round = 0; out.length < TAXONOMY.length; round++) {
    for (const q of queues) if (round < q.length) out.push(q[round]);
  }
  return out;
}

export const MAX_CATEGORIES = TAXONOMY.length;

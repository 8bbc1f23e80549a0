/** Every product family, in file order. Add a family: write its file and list it here. */
import { Family } from '../types';
import { BAGS, MEN_CLOTHING, SHOES, WOMEN_CLOTHING } from './apparel';
import { LARGE_APPLIANCE, SMALL_APPLIANCE } from './appliances';
import { COMPUTER, DIGITAL_ACCESSORY, PHONE } from './electronics';
import { KITCHEN } from './kitchen';

export const FAMILIES: Family[] = [KITCHEN, LARGE_APPLIANCE, SMALL_APPLIANCE, PHONE, COMPUTER, DIGITAL_ACCESSORY, WOMEN_CLOTHING, MEN_CLOTHING, SHOES, BAGS];
